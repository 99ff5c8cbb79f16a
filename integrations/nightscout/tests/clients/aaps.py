"""AndroidAPS's v3 client, as its source reads and writes treatments.

nightscout/AndroidAPS commit 02052250: what it POSTs (core/nssdk mapper/TreatmentMapper.kt
toRemoteTreatment), which documents it keeps (RemoteTreatment.toTreatment), the JSON types
Gson needs to read a page at all (remotemodel/RemoteTreatment.kt), and how its database
matches what it reads to its own records (database/impl transactions SyncNs*Transaction).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

# RemoteTreatment.kt's fields by Kotlin type. Gson reads a Long or Int only from a number
# without a fraction (or a string holding one), a Double from a number or numeric string,
# a Boolean from a boolean; anything else throws, and the whole page is lost.
LONGS = frozenset(
    "date duration durationInMilliseconds endId mills originalDuration originalEnd "
    "originalTimeshift pumpId srvCreated srvModified timeshift timestamp utcOffset".split()
)
INTS = frozenset("fat originalPercentage percentage preBolus protein splitExt splitNow".split())
DOUBLES = frozenset(
    "absolute carbs enteredinsulin glucose insulin percent rate relative targetBottom "
    "targetTop".split()
)
BOOLEANS = frozenset(
    "autoForced isAnnouncement isBasalInsulin isEmulatingTempBasal isReadOnly isSMB isValid".split()
)


def _whole(value) -> bool:
    if isinstance(value, str):
        return value.lstrip("-").isdigit()
    return isinstance(value, int | float) and not isinstance(value, bool) and value % 1 == 0


def gson_reads(doc: dict) -> None:
    """Raise AssertionError where Gson would fail to read ``doc`` as a RemoteTreatment."""
    for field, value in doc.items():
        if value is None:
            continue
        if field in LONGS or field in INTS:
            assert _whole(value), (field, value)
        elif field in DOUBLES:
            assert isinstance(value, int | float | str) and not isinstance(value, bool), field
            float(value)
        elif field in BOOLEANS:
            assert isinstance(value, bool), (field, value)


def treatments(now: datetime) -> dict[str, dict]:
    """The bodies AndroidAPS's v3 client POSTs (nightscout/AndroidAPS commit 02052250,
    core/nssdk mapper/TreatmentMapper.kt toRemoteTreatment, fields as RemoteTreatment.kt
    names them, Gson leaving out nulls; NSAndroidClientImpl.createTreatment sets app) for a
    temporary target, a profile switch, a percent temporary basal and an SMB, made by
    plugins/sync nsclientV3/extensions TemporaryTargetExtension, ProfileSwitchExtension,
    TemporaryBasalExtension and BolusExtension; pump ids as its pump drivers fill them."""

    def at(minutes: int) -> int:
        return int((now - timedelta(minutes=minutes)).timestamp() * 1000) + 123

    pump = {"pumpType": "ACCU_CHEK_INSIGHT_BLUETOOTH", "pumpSerial": "REDACTED"}
    profile_json = json.dumps(
        {
            "units": "mg/dl",
            "dia": 5,
            "timezone": "UTC",
            "sens": [{"time": "00:00", "timeAsSeconds": 0, "value": 60}],
            "carbratio": [{"time": "00:00", "timeAsSeconds": 0, "value": 5.7}],
            "basal": [{"time": "00:00", "timeAsSeconds": 0, "value": 0.525}],
            "target_low": [{"time": "00:00", "timeAsSeconds": 0, "value": 100}],
            "target_high": [{"time": "00:00", "timeAsSeconds": 0, "value": 100}],
        }
    )
    return {
        "temporary target": {
            "date": at(30),
            "units": "mg/dl",
            "utcOffset": 60,
            "isReadOnly": False,
            "isValid": True,
            "eventType": "Temporary Target",
            "duration": 60,
            "durationInMilliseconds": 3_600_000,
            "targetBottom": 80.0,
            "targetTop": 80.0,
            "reason": "Eating Soon",
            "app": "AAPS",
        },
        "profile switch": {
            "date": at(25),
            "utcOffset": 60,
            "isReadOnly": False,
            "isValid": True,
            "eventType": "Profile Switch",
            "profileJson": profile_json,
            "profile": "Tuned 13/01 (90%,1h)",
            "originalProfileName": "Tuned 13/01",
            "originalDuration": 7_200_000,
            "duration": 120,
            "durationInMilliseconds": 7_200_000,
            "timeshift": 1,
            "percentage": 90,
            "app": "AAPS",
        },
        "temporary basal": {
            "date": at(20),
            "utcOffset": 60,
            "isReadOnly": False,
            "isValid": True,
            "eventType": "Temp Basal",
            "pumpId": 4102,
            "endId": 4103,
            **pump,
            "duration": 30,
            "durationInMilliseconds": 1_800_000,
            "percent": -50.0,
            "rate": 0.2625,
            "type": "NORMAL",
            "app": "AAPS",
        },
        "bolus": {
            "date": at(15),
            "utcOffset": 60,
            "isReadOnly": False,
            "isValid": True,
            "eventType": "Correction Bolus",
            "pumpId": 4104,
            **pump,
            "insulin": 0.35,
            "type": "SMB",
            "isBasalInsulin": False,
            "app": "AAPS",
        },
    }


def kind(doc: dict) -> str | None:
    """Which NSTreatment AndroidAPS's RemoteTreatment.toTreatment() makes of a document
    (TreatmentMapper.kt, in its order), or None where it drops it."""
    duration = doc.get("duration")
    if (doc.get("insulin") or 0) > 0:
        return "bolus"
    if (doc.get("carbs") or 0) > 0:
        return "carbs"
    if doc.get("eventType") == "Temporary Target":
        if duration is None or doc.get("targetBottom") is None or doc.get("targetTop") is None:
            return None
        return "temporary target"
    if doc.get("eventType") == "Temp Basal":
        if doc.get("absolute", doc.get("percent")) is None or duration is None:
            return None
        return "temporary basal"
    if doc.get("eventType") == "Profile Switch":
        return "profile switch" if doc.get("profile") is not None else None
    return None


def _time(doc: dict) -> int:
    """RemoteTreatment.timestamp(): date ?: mills ?: timestamp ?: created_at ?: 0."""
    for key in ("date", "mills", "timestamp"):
        if doc.get(key) is not None:
            return int(doc[key])
    if doc.get("created_at"):
        moment = datetime.fromisoformat(doc["created_at"].replace("Z", "+00:00"))
        return int(moment.timestamp() * 1000)
    return 0


def _amount(doc: dict, what: str) -> float | None:
    if what == "bolus":
        return doc["insulin"]
    if what == "carbs":
        return doc["carbs"]
    return None


class Phone:
    """AndroidAPS's own records of boluses and carbs, kept as its database/impl
    SyncNsBolusTransaction and SyncNsCarbsTransaction keep them from what it reads: by
    ``identifier`` (its nightscoutId): invalidated when the document is not valid, a
    bolus's amount set to the document's; else by pumpId + pumpType + pumpSerial; else by
    the time (a record it has no nightscoutId for yet); else inserted."""

    def __init__(self):
        self.records: list[dict] = []

    def own(self, what: str, doc: dict, identifier: str) -> None:
        """A record AndroidAPS made itself and uploaded (``doc`` as it POSTed it)."""
        self.records.append(
            {
                "kind": what,
                "identifier": identifier,
                "date": _time(doc),
                "amount": _amount(doc, what),
                "valid": True,
                "pump": (doc.get("pumpId"), doc.get("pumpType"), doc.get("pumpSerial")),
            }
        )

    def receive(self, page: list[dict]) -> None:
        """A page of v3 treatments read as LoadTreatmentsWorker reads it."""
        for doc in page:
            gson_reads(doc)
        for doc in page:
            what = kind(doc)
            if what not in ("bolus", "carbs"):
                continue  # dropped (toNotNull), or a type this model does not follow
            valid = doc.get("isValid") is not False
            amount = _amount(doc, what)
            mine = [r for r in self.records if r["kind"] == what]
            current = next((r for r in mine if r["identifier"] == doc["identifier"]), None)
            if current is not None:
                if current["valid"] and not valid:
                    current["valid"] = False
                if what == "bolus" and current["amount"] != amount:
                    current["amount"] = amount
                continue
            pump = (doc.get("pumpId"), doc.get("pumpType"), doc.get("pumpSerial"))
            same = None
            if None not in pump:
                same = next((r for r in mine if r["pump"] == pump), None)
            same = same or next(
                (r for r in mine if r["date"] == _time(doc) and r["identifier"] is None), None
            )
            if same is not None:
                if same["identifier"] is None:
                    same.update(identifier=doc["identifier"], valid=valid, amount=amount)
                continue
            self.records.append(
                {
                    "kind": what,
                    "identifier": doc["identifier"],
                    "date": _time(doc),
                    "amount": amount,
                    "valid": valid,
                    "pump": pump,
                }
            )

    def on_board(self, what: str) -> float:
        """What counts in its IOB or COB: the valid records' amounts."""
        return sum(r["amount"] for r in self.records if r["kind"] == what and r["valid"])

"""Signals lower layers send so that upper ones can act without being imported.

``record_data_deleted``: a reading or treatment of a record was deleted (by any page,
API or upload path). Sent by ``readings.services.reading_delete`` and
``treatments.services.treatment_delete`` after the row is gone, with ``sender`` the model
class, ``patient`` the record, ``collection`` ("entries" or "treatments": the Nightscout
collection it is part of) and ``identifier`` (the id clients know it by: the uploader's
``external_id``, else BGT's own id) and ``instance`` (the deleted row as it was, its id
included). integrations.nightscout keeps it for API v3 history.
"""

from django.dispatch import Signal

record_data_deleted = Signal()

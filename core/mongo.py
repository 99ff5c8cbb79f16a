"""Queryset reads whose MongoDB filter is one flat document (DESIGN.md section 7).

django-mongodb-backend writes every filter of two or more conditions as ``{"$and": [...]}``,
nests each further condition in another ``$and``, and adds ``{"$exists": true}`` and
``{"$ne": null}`` beside a ``$lt``/``$lte``. MongoDB normalises all of that before planning,
so on MongoDB the flat document is the same query with the same plan; SecantusDB (the
MongoDB server the tests run on) plans only flat filters -- bare equalities on an index's
leading fields and one range on the next -- and scans the whole collection for the rest
(issue 21 has the explain output). ``rows`` runs a ``values_list`` queryset with its filter
written flat: the ORM still defines the query, and SQL databases run it unchanged. A
``$lte`` is left unmerged (see ``_merge``): write ranges half-open, as ``between`` does.
"""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models.query import FlatValuesListIterable, ValuesListIterable

CHUNK = 2000  # documents per round trip after the first batch

# Operators whose non-null bound never matches a null or missing field (MongoDB compares
# values of one BSON type only), so ``$exists: true`` and ``$ne: null`` beside them add
# nothing.
_BOUNDS = ("$gt", "$gte", "$lt", "$lte", "$eq", "$in")


def flat_match(mql: dict) -> dict:
    """``mql`` (a ``$match`` filter) with nested ``$and`` of field conditions merged into one
    document, and the null checks a non-null bound already implies dropped. Whatever cannot
    be merged without changing the meaning (``$or``, ``$expr``, two equalities on a field)
    is kept as it was, under ``$and``."""
    merged: dict = {}
    kept: list = []
    for part in _and_parts(mql):
        if not _merge(merged, part):
            kept.append(part)
    for field, condition in merged.items():
        merged[field] = _without_implied_null_checks(condition)
    if kept:
        merged["$and"] = kept
    return merged


def _and_parts(mql: dict) -> list[dict]:
    """The conjuncts of ``mql``: its fields, and those of any ``$and`` in it, recursively."""
    parts = []
    for key, value in mql.items():
        if key == "$and" and all(isinstance(child, dict) for child in value):
            for child in value:
                parts.extend(_and_parts(child))
        else:
            parts.append({key: value})
    return parts


def _merge(merged: dict, part: dict) -> bool:
    """Add one single-key conjunct to ``merged``; False when it cannot join it."""
    ((field, condition),) = part.items()
    if field.startswith("$"):
        return False
    if _is_operators(condition) and "$lte" in condition:
        # SecantusDB answers {a: x, b: {$lte: y}} from an (a, b, c) index without the
        # documents where b == y (the trailing key field), so $lte stays where it is
        # planned as a scan and answered right. Write half-open ranges ($lt) instead.
        return False
    if field not in merged:
        merged[field] = dict(condition) if _is_operators(condition) else condition
        return True
    existing = merged[field]
    if not (_is_operators(existing) and _is_operators(condition)):
        return False
    if set(existing) & set(condition):
        return False
    existing.update(condition)
    return True


def _is_operators(condition) -> bool:
    return (
        isinstance(condition, dict)
        and bool(condition)
        and all(k.startswith("$") for k in condition)
    )


def _without_implied_null_checks(condition):
    if not _is_operators(condition):
        return condition
    bounded = any(condition.get(op) is not None for op in _BOUNDS if op in condition)
    if not bounded:
        return condition
    slim = {
        op: value
        for op, value in condition.items()
        if not (op == "$exists" and value is True) and not (op == "$ne" and value is None)
    }
    return slim


def rows(queryset) -> list:
    """``list(queryset)`` of a ``values_list`` queryset: on MongoDB run with its filter flat
    (``flat_match``), with the backend's own projection, sort, limit and value converters."""
    connection = connections[queryset.db]
    if connection.vendor != "mongodb":
        return list(queryset)
    compiler = queryset.query.get_compiler(using=queryset.db)
    compiler.pre_sql_setup()
    try:
        query = compiler.build_query(compiler.columns)
    except EmptyResultSet:
        return []
    if query.match_mql:
        query.match_mql = flat_match(query.match_mql)
    results = compiler.cursor_iter(query.get_cursor(), CHUNK, compiler.columns)
    found = compiler.results_iter(results, tuple_expected=True)
    if queryset._iterable_class is FlatValuesListIterable:
        return [row[0] for row in found]
    if queryset._iterable_class is not ValuesListIterable:
        raise TypeError("rows() takes a values_list() queryset.")
    return list(found)

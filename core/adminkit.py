"""Django admin plumbing shared by every app's admin: filters limited to those declared.

Django's admin accepts any lookup on a model's own fields in the change list's query
string (``?mrn__startswith=4`` answers "which grants have an MRN starting with 4", one
character at a time) and one hop across relations (``?auth_token__isnull=False``: who
uses the API). ``DeclaredFiltersOnly`` allows only the parameters of the filters the
admin declares in ``list_filter``; anything else is a 400 (DisallowedModelAdminLookup).
accounts.admin applies it to every model admin on the site, third-party ones included.
"""

from __future__ import annotations

from django.contrib.admin import ListFilter

# The query parameters Django's own list filters use for a declared field path:
# boolean, choices and all-values filters (path, __exact, __isnull), related filters
# (__id__exact / __pk__exact, __isnull), date filters (__gte, __lt), facets' __in.
_FILTER_SUFFIXES = (
    "",
    "__exact",
    "__isnull",
    "__in",
    "__gte",
    "__lt",
    "__id__exact",
    "__pk__exact",
)


def declared_lookups(list_filter) -> frozenset[str]:
    """Every query-string lookup the declared ``list_filter`` entries may use."""
    allowed: set[str] = set()
    for item in list_filter:
        if isinstance(item, (list, tuple)):
            item = item[0]
        if isinstance(item, str):
            allowed.update(item + suffix for suffix in _FILTER_SUFFIXES)
        elif isinstance(item, type) and issubclass(item, ListFilter):
            parameter = getattr(item, "parameter_name", None)
            if parameter:
                allowed.add(parameter)
    return frozenset(allowed)


def allow_only_declared_filters(model_admin) -> None:
    """Make ``model_admin``'s change list filter by its declared filters and nothing else."""

    def lookup_allowed(lookup, value, request=None):
        return lookup in declared_lookups(model_admin.get_list_filter(request))

    model_admin.lookup_allowed = lookup_allowed

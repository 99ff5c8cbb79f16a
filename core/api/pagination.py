"""Page-number pagination of list endpoints: 100 items a page, up to 1,000 on request."""

from rest_framework.pagination import PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

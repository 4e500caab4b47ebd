"""Page-numbered lists with bounded inputs."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from rendez.api.errors import ApiError

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100
# Other APIs' paging words: silently ignoring them gave a client the first page while it asked for another.
OTHER_PAGING = ("limit", "offset", "per_page", "cursor")


class Pages(PageNumberPagination):
    """Ninja's page numbers, bounded: an unbounded `page` made an OFFSET too big for the database."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 50, **kwargs):
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet, pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        if asked := [name for name in OTHER_PAGING if name in request.GET]:
            fields = {name: "Not read here: lists are paged with page and page_size." for name in asked}
            raise ApiError(
                422,
                "invalid",
                f"This API pages with page (from 1) and page_size (at most {MAX_PAGE_SIZE}); "
                f"{' and '.join(asked)} would be ignored.",
                fields,
            )
        return super().paginate_queryset(queryset, pagination, request, **params)

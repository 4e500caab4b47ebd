"""The panel's pages read only the signed-in tenant's rows, through indexes, beside 100 other tenants.

PostgreSQL only: each page is requested as Ada (alice's admin) beside 20,000 appointments, bookings,
deliveries and failed meetings of other tenants; every query the page sends is EXPLAINed, and none may read a
crowded table from end to end (docs/tenancy.md).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rendez.scheduling.tests.crowd import add_other_tenants, whole_table_reads
from rendez.scheduling.tests.factories import book
from rendez.tenants.models import Membership
from rendez.web.panel.tests.fixtures import a_monday, berlin, member, signed_in

pytestmark = pytest.mark.postgres

PAGES = [
    ("panel:dashboard", {}),
    ("panel:appointments", {"when": "upcoming"}),
    ("panel:appointments", {"when": "past"}),
    ("panel:calendar_week", {}),
    ("panel:customers_list", {}),
    ("panel:messages_deliveries", {}),
    ("panel:messages_deliveries", {"state": "sent"}),
]


@pytest.fixture
def ada_client(alice, consultation, dora, django_user_model):
    monday = a_monday()
    for hour in (9, 10, 11):
        book(consultation, dora, berlin(monday, hour), f"C{hour}", now=berlin(monday, 6))
    add_other_tenants()
    return signed_in(member(alice, "ada", Membership.Role.ADMIN, django_user_model), alice)


@pytest.mark.parametrize(("page", "params"), PAGES)
def test_a_panel_page_reads_no_other_tenants_rows(ada_client, page, params):
    with CaptureQueriesContext(connection) as captured:
        response = ada_client.get(reverse(page), params)
    assert response.status_code == 200
    selects = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    scanned = {sql: tables for sql in selects if (tables := whole_table_reads(sql))}
    assert scanned == {}

"""Settings → Business profile: Ada (alice's admin) edits it; Dora (alice's staff member) and Olga (admin of
bob, the outsider) never see or change alice's. What is saved shows on alice's booking and customer pages."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from rendez.scheduling.tests.factories import book, make_service
from rendez.tenants import profile
from rendez.tenants.models import Tenant
from rendez.tenants.tests.pictures import picture, stored_picture
from rendez.web.panel.tests.fixtures import a_monday, berlin

pytestmark = pytest.mark.django_db

URL = "/panel/settings/profile/"
PNG = picture("PNG", (40, 20), colour="navy")
JPEG = picture("JPEG", (40, 20), colour="teal")
PROFILE = {
    "name": "Alice's Yoga Studio",
    "address": "Kastanienallee 5, 10435 Berlin",
    "timezone": "Europe/Berlin",
    "sender_name": "Alice at the Studio",
    "reply_to_email": "hello@alice.example",
    "welcome_text": "Welcome!\nPick a class below.",
    "cancellation_policy": "Cancel up to 24 hours ahead free of charge.",
    "brand_colour": "#0B6B2F",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(data: bytes, name: str = "logo.png"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


def test_settings_is_a_home_with_the_business_profile_and_zoom(ada_client):
    page = ada_client.get("/panel/settings/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/panel/settings/profile/"' in html and "Business profile" in html
    assert 'href="/panel/settings/zoom/"' in html


def test_an_admin_saves_the_profile(ada_client, alice):
    response = ada_client.post(URL, PROFILE)
    assert response.status_code == 302 and response.url == URL
    alice.refresh_from_db()
    saved = {name: getattr(alice, name) for name in PROFILE}
    assert saved == {**PROFILE, "brand_colour": "#0b6b2f"}
    page = ada_client.get(URL).content.decode()
    assert "Business profile saved." in page and 'value="hello@alice.example"' in page
    assert alice.sender == "Alice at the Studio"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "This field is required."),
        ("timezone", "Mars/Olympus", "Select a valid choice."),
        ("timezone", "localtime", "Select a valid choice."),
        ("reply_to_email", "not-an-address", "Enter a valid email address."),
        ("sender_name", "support@bank.example", "a name, not an email address"),
        ("brand_colour", "blue", "is not a colour like #1f4fc9"),
        ("brand_colour", "#ffee00", "too light to read on white"),
        ("welcome_text", "x" * 2001, "at most 2000 characters"),
    ],
)
def test_a_refused_field_says_why_and_nothing_is_saved(ada_client, alice, field, value, message):
    response = ada_client.post(URL, {**PROFILE, field: value})
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    alice.refresh_from_db()
    assert alice.name == "Alice's Studio" and alice.reply_to_email == "" and alice.brand_colour == ""


def test_a_logo_is_stored_served_and_replaced(
    ada_client, client, alice, media, django_capture_on_commit_callbacks
):
    assert ada_client.post(URL, {**PROFILE, "logo": upload(PNG)}).status_code == 302
    alice.refresh_from_db()
    first = profile.logo_path(alice)
    assert first is not None and first.parent == media / "logos" and first.suffix == ".png"
    assert stored_picture(first).size == (40, 20)
    served = client.get(f"/brand/alice/logo/{first.name}")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == first.read_bytes()
    assert "immutable" in served["Cache-Control"]
    assert f'src="/brand/alice/logo/{first.name}"' in client.get("/book/alice/").content.decode()

    with_jpeg = {**PROFILE, "logo": upload(JPEG, "logo.jpg")}
    with django_capture_on_commit_callbacks(execute=True):
        assert ada_client.post(URL, with_jpeg).status_code == 302
    alice.refresh_from_db()
    second = profile.logo_path(alice)
    assert second is not None and second.suffix == ".png" and second != first
    assert not first.exists()  # the replaced file is removed once the change is committed
    assert client.get(f"/brand/alice/logo/{first.name}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        assert ada_client.post(URL, {**PROFILE, "remove_logo": "on"}).status_code == 302
    alice.refresh_from_db()
    assert alice.logo == "" and not second.exists()


def test_a_large_photo_is_shrunk_before_it_is_stored(ada_client, alice, media):
    photo = picture("JPEG", (2400, 1200), colour="maroon")
    assert ada_client.post(URL, {**PROFILE, "logo": upload(photo, "photo.jpg")}).status_code == 302
    alice.refresh_from_db()
    stored = profile.logo_path(alice)
    assert stored is not None and stored_picture(stored).size == (320, 160)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (picture("GIF", (10, 10)), "must be a PNG, JPEG or WebP picture"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "must be a PNG, JPEG"),
        (b"this is a letter, not a picture\n" * 20, "must be a PNG, JPEG or WebP picture"),
        (PNG[: len(PNG) // 2], "damaged or incomplete"),
        (picture("PNG", (6000, 5000), mode="1"), "6000 × 5000 pixels"),
        (PNG + b"\x00" * (5 * 1024 * 1024), "5 MB"),
    ],
    ids=["gif", "svg", "text-named-png", "truncated", "too-many-pixels", "too-many-bytes"],
)
def test_a_logo_that_is_not_a_fitting_picture_is_refused_with_the_rest(
    ada_client, alice, media, data, message
):
    response = ada_client.post(URL, {**PROFILE, "logo": upload(data)})
    assert response.status_code in (400, 413)
    assert message in response.content.decode()
    alice.refresh_from_db()
    assert alice.logo == "" and alice.name == "Alice's Studio"
    assert not (media / "logos").exists() or not any((media / "logos").iterdir())


def test_staff_get_404_and_change_nothing(dora_client, alice):
    for url in ("/panel/settings/", URL):
        assert dora_client.get(url).status_code == 404
    assert dora_client.post(URL, PROFILE).status_code == 404
    alice.refresh_from_db()
    assert alice.name == "Alice's Studio" and alice.welcome_text == ""


def test_an_outsider_edits_only_their_own_business(olga_client, alice, bob):
    assert "Alice" not in olga_client.get(URL).content.decode()
    assert olga_client.post(URL, {**PROFILE, "name": "Bob's New Clinic"}).status_code == 302
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert alice.name == "Alice's Studio" and alice.welcome_text == ""
    assert bob.name == "Bob's New Clinic"


def test_signed_out_visitors_are_sent_to_sign_in(client, alice):
    response = client.post(URL, PROFILE)
    assert response.status_code == 302 and response.url.startswith("/login/")
    alice.refresh_from_db()
    assert alice.name == "Alice's Studio"


def test_the_booking_and_customer_pages_show_the_profile(client, ada_client, alice, dora):
    massage = make_service(alice, dora, name="Massage", location_type="in_person")
    assert ada_client.post(URL, PROFILE).status_code == 302
    services_page = client.get("/book/alice/").content.decode()
    assert "Welcome!<br>Pick a class below." in services_page
    assert '<link rel="stylesheet" href="/brand/colours/0b6b2f.css">' in services_page
    assert "Alice&#x27;s Yoga Studio" in services_page
    assert "style=" not in services_page.split("<main", 1)[0]  # the colour comes from a stylesheet

    start = berlin(a_monday(), 10)
    query = urlencode({"staff": dora.pk, "start": start.isoformat(), "tz": "Europe/Berlin"})
    details = client.get(f"/book/alice/{massage.pk}/details?{query}")
    assert "Cancel up to 24 hours ahead free of charge." in details.content.decode()

    booking = book(massage, dora, start, "Charlie", now=start - timedelta(days=7))
    manage = client.get(f"/manage/{booking.manage_token}").content.decode()
    assert "Cancel up to 24 hours ahead free of charge." in manage
    assert "/brand/colours/0b6b2f.css" in manage


def test_the_colour_stylesheet_serves_only_colours_a_profile_may_hold(client):
    sheet = client.get("/brand/colours/0b6b2f.css")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "text/css"
    assert sheet.content == b":root { --accent: #0b6b2f; }\n"
    for refused in ("ffee00", "blue", "0b6b2f;}body{display:none"):
        assert client.get(f"/brand/colours/{refused}.css").status_code == 404


def test_the_writer_refuses_fields_outside_the_profile(alice):
    with pytest.raises(TypeError):
        profile.update_profile(alice, {"slug": "taken"})
    assert Tenant.objects.get(pk=alice.pk).slug == "alice"

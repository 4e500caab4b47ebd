from django.db import migrations, models


def mark_tenants_with_calendars(apps, schema_editor):
    """Tenants with a calendar connection that is not disconnected (the flag's meaning) get it on."""
    Tenant = apps.get_model("tenants", "Tenant")
    CalendarConnection = apps.get_model("calendars", "CalendarConnection")
    with_calendars = CalendarConnection.objects.exclude(status="disconnected").values("tenant_id")
    Tenant.objects.filter(pk__in=with_calendars).update(has_calendars=True)


class Migration(migrations.Migration):
    dependencies = [
        ("tenants", "0004_offer_staff_without_zoom"),
        ("calendars", "0001_calendar_core"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="has_calendars",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
        migrations.RunPython(mark_tenants_with_calendars, migrations.RunPython.noop),
    ]

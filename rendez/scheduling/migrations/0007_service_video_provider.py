"""A service names its video provider instead of a Zoom checkbox: `zoom_enabled` services choose Zoom, the
others none; the column goes (`Service.zoom_enabled` stays, a property over `video_provider`)."""

from django.db import migrations, models

CHOICES = [("zoom", "Zoom"), ("google_meet", "Google Meet"), ("teams", "Microsoft Teams")]


def zoom_chosen(apps, schema_editor):
    Service = apps.get_model("scheduling", "Service")
    Service.objects.filter(zoom_enabled=True).update(video_provider="zoom")


def zoom_ticked(apps, schema_editor):
    # Backwards: only Zoom had a checkbox; a service on another provider goes back to no meeting.
    Service = apps.get_model("scheduling", "Service")
    Service.objects.filter(video_provider="zoom").update(zoom_enabled=True)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0006_series_questions_assignment")]

    operations = [
        migrations.AddField(
            model_name="service",
            name="video_provider",
            field=models.CharField(blank=True, choices=CHOICES, max_length=20, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="fallback_video_provider",
            field=models.CharField(blank=True, choices=CHOICES, max_length=20, null=True),
        ),
        migrations.RunPython(zoom_chosen, zoom_ticked),
        migrations.RemoveField(model_name="service", name="zoom_enabled"),
    ]

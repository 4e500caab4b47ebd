"""Delivery.message_id: the email's Message-ID, stored with the delivery instead of derived at send time.

Deliveries made before this migration keep the id they were (or would have been) sent with,
`<rendez-delivery-{id}@{sender domain}>`, so a retry after the upgrade still matches an earlier attempt.
"""

from email.utils import parseaddr

from django.conf import settings
from django.db import migrations, models
from django.db.models import Value
from django.db.models.functions import Cast, Concat

import rendez.notifications.mail


def keep_the_ids_already_sent(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    domain = address.rpartition("@")[2] or "rendez.localhost"
    # One statement, however many deliveries there are.
    Delivery.objects.update(
        message_id=Concat(Value("<rendez-delivery-"), Cast("id", models.CharField()), Value(f"@{domain}>"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_event_snapshots"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="message_id",
            field=models.CharField(
                default=rendez.notifications.mail.new_message_id, editable=False, max_length=250
            ),
        ),
        migrations.RunPython(keep_the_ids_already_sent, migrations.RunPython.noop, elidable=True),
    ]

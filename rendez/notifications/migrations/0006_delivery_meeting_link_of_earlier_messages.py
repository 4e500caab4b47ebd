"""Messages sent before deliveries recorded their meeting link: where a message's text holds its appointment's
live link, that is the link it carried. Without this, the first meeting event after the upgrade would send
everyone who already holds the live link a "here is your link" message."""

from django.db import migrations
from django.db.models import F

BATCH = 1000


def earlier_messages_carried_the_live_link(apps, schema_editor):
    Delivery = apps.get_model("notifications", "Delivery")
    carried = Delivery.objects.filter(
        state="sent",
        meeting_link="",
        booking__appointment__meeting__state="ready",
        booking__appointment__meeting__join_url__gt="",
        body__contains=F("booking__appointment__meeting__join_url"),
    ).values_list("pk", "booking__appointment__meeting__join_url")
    batch = []
    for pk, link in carried.iterator(chunk_size=BATCH):
        batch.append(Delivery(pk=pk, meeting_link=link))
        if len(batch) == BATCH:
            Delivery.objects.bulk_update(batch, ["meeting_link"])
            batch = []
    Delivery.objects.bulk_update(batch, ["meeting_link"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_delivery_meeting_link"),
        ("conferencing", "0005_meeting_truthful_states"),
    ]

    operations = [
        migrations.RunPython(earlier_messages_carried_the_live_link, migrations.RunPython.noop),
    ]

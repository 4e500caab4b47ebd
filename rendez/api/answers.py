"""The answers to a service's booking questions sent with a booking or a series, checked as the booking page
checks them (rendez/scheduling/questions.py) before anything is written."""

from __future__ import annotations

from collections.abc import Mapping

from django.shortcuts import get_object_or_404

from rendez.api.errors import ApiError, summary
from rendez.scheduling import questions
from rendez.scheduling.models import Service
from rendez.tenants.models import Tenant


def checked_answers(
    tenant: Tenant, service_id: int, answers: Mapping[str, object]
) -> list[dict[str, object]]:
    """The answers to keep with the booking, or a 422 naming each wrong one `answers.<question id>`."""
    asked = questions.questions_for_booking(tenant.pk, service_id)
    try:
        return questions.check_answers(asked, answers)
    except questions.InvalidAnswers as invalid:
        # Answers to a service the tenant does not have: the service is what is wrong (404).
        get_object_or_404(Service.objects.filter(tenant=tenant), pk=service_id)
        fields = {f"answers.{key}": text for key, text in invalid.errors.items()}
        raise ApiError(422, "invalid_answers", summary(fields), fields) from None

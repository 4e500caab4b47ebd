"""The service form: every field of a service, its video provider with its fallback and the four meeting
options; and the form of one booking question."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from rendez.scheduling.models import Assignment, Service, ServiceQuestion, Staff, VideoProvider
from rendez.scheduling.questions import QuestionDraft

DEFAULT = ""
SWITCH_CHOICES = [(DEFAULT, "Host's default"), ("on", "On"), ("off", "Off")]
RECORDING_CHOICES = [(DEFAULT, "Host's default"), ("local", "Local"), ("cloud", "Cloud"), ("none", "None")]
ASSIGNMENT_CHOICES = [
    (Assignment.ROUND_ROBIN, "Round robin: share bookings fairly, by each one's weight"),
    (Assignment.LEAST_BUSY, "Least busy: whoever has the fewest sessions that week"),
    (Assignment.FIRST_FREE, "First free: by priority, then name"),
]
SWITCHES = ("waiting_room", "join_before_host", "mute_upon_entry")
NO_VIDEO = ""
NO_FALLBACK = ""
OPTION_FIELDS = (*SWITCHES, "auto_recording")


class ProviderSelect(forms.Select):
    """The provider choice; the providers that cannot be chosen now are shown disabled (the page says why)."""

    def __init__(self, *args, refused: set[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.refused = refused

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.refused:
            option["attrs"]["disabled"] = True
        return option


def label_of(provider: str) -> str:
    return str(dict(VideoProvider.choices).get(provider, provider))


def _minutes(label: str, *, minimum: int = 0, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=24 * 60, help_text=help_text)


class ServiceForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    duration_minutes = _minutes("Duration (minutes)", minimum=5)
    buffer_before_minutes = _minutes(
        "Buffer before (minutes)", help_text="Kept free before each appointment."
    )
    buffer_after_minutes = _minutes("Buffer after (minutes)", help_text="Kept free after each appointment.")
    capacity = forms.IntegerField(
        label="Capacity", min_value=1, max_value=1000, help_text="People who can book the same slot."
    )
    price = forms.DecimalField(label="Price", min_value=0, max_digits=10, decimal_places=2)
    location_type = forms.ChoiceField(label="Location", choices=Service.LocationType.choices)
    initial_status = forms.ChoiceField(label="New bookings are", choices=Service.InitialStatus.choices)
    min_notice_minutes = forms.IntegerField(
        label="Minimum notice (minutes)", min_value=0, help_text="How long before the start a booking closes."
    )
    horizon_days = forms.IntegerField(
        label="Bookable ahead (days)",
        min_value=1,
        max_value=730,
        help_text="How far ahead customers can book.",
    )
    staff = forms.ModelMultipleChoiceField(
        label="Staff who offer it",
        queryset=Staff.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(label="Active (bookable)", required=False)
    assignment = forms.ChoiceField(
        label="When the customer picks “Any available”",
        choices=ASSIGNMENT_CHOICES,
        required=False,
        help_text="Who gets the booking among the staff free then. Weights, priorities and limits are set "
        "on each staff member's page.",
    )
    series_allowed = forms.BooleanField(
        label="Allow recurring bookings",
        required=False,
        help_text="Customers and staff may book a series: every N days, weeks or months, up to 52 dates.",
    )
    video_provider = forms.ChoiceField(label="Video meetings by", required=False)
    # Its label and choices follow the provider (see `_offer_fallbacks`).
    fallback_video_provider = forms.ChoiceField(
        required=False,
        help_text="When the host cannot have a meeting made by the provider (not connected, or it keeps "
        "failing), the meeting is made by this one instead and the customer is told which link is real.",
    )
    waiting_room = forms.ChoiceField(label="Waiting room", choices=SWITCH_CHOICES, required=False)
    join_before_host = forms.ChoiceField(label="Join before host", choices=SWITCH_CHOICES, required=False)
    mute_upon_entry = forms.ChoiceField(label="Mute upon entry", choices=SWITCH_CHOICES, required=False)
    auto_recording = forms.ChoiceField(label="Auto recording", choices=RECORDING_CHOICES, required=False)
    per_attendee_links = forms.BooleanField(
        label="Personal join links for each attendee",
        required=False,
        help_text="Group sessions (capacity above 1): each attendee gets an own Zoom link, so a link passed "
        "on does not let a stranger in. Needs a Licensed Zoom user as host.",
    )

    def __init__(self, tenant, *args, refusals: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["staff"])
        field.queryset = Staff.objects.filter(tenant=tenant).order_by("name")
        # Provider -> why it cannot be chosen now; every provider the form names is in it or choosable.
        self.refusals = refusals or {}
        provider = cast(forms.ChoiceField, self.fields["video_provider"])
        provider.widget = ProviderSelect(refused=set(self.refusals))
        provider.choices = [(NO_VIDEO, "None"), *VideoProvider.choices]  # after the widget: it holds them too
        if all(value in self.refusals for value in VideoProvider.values):
            # No provider can be chosen (as the Zoom checkbox was while Zoom was not usable): a disabled field
            # is not submitted, and Django keeps its initial value, the stored provider.
            provider.disabled = True
        if self.refusals:
            provider.widget.attrs["aria-describedby"] = "video-hint"
        self._offer_fallbacks()

    def chosen_provider(self) -> str | None:
        """The provider as submitted (a refused form shows it), else as stored."""
        if self.is_bound and not self.fields["video_provider"].disabled:
            return self.data.get("video_provider") or None
        return self.initial.get("video_provider") or None

    def _offer_fallbacks(self) -> None:
        """The fallback's label names the provider; its options are nothing or another provider the tenant
        can choose now (the stored one stays listed, as the provider does, so saving keeps it)."""
        provider = self.chosen_provider()
        stored = self.initial.get("fallback_video_provider") or None
        fallback = cast(forms.ChoiceField, self.fields["fallback_video_provider"])
        named = label_of(provider) if provider else "the provider"
        fallback.label = f"If {named} cannot make the meeting, use"
        nothing = (NO_FALLBACK, "nothing (the booking waits for the link)")
        # Any provider is accepted here: the catalog judges the pair (one writer, one set of rules), and its
        # refusal is shown on this field. The page offers only the sensible ones.
        fallback.choices = [nothing, *VideoProvider.choices]
        fallback.widget.choices = [
            nothing,
            *(
                (value, label)
                for value, label in VideoProvider.choices
                if value != provider and (value not in self.refusals or value == stored)
            ),
        ]

    def clean_video_provider(self) -> str | None:
        chosen = self.cleaned_data.get("video_provider") or None
        stored = self.initial.get("video_provider") or None
        if chosen is not None and chosen != stored and chosen in self.refusals:
            # Only a forged submission gets here: the option is disabled on the page.
            raise forms.ValidationError(self.refusals[chosen])
        return chosen

    def clean_fallback_video_provider(self) -> str | None:
        chosen = self.cleaned_data.get("fallback_video_provider") or None
        stored = self.initial.get("fallback_video_provider") or None
        if chosen is not None and chosen != stored and chosen in self.refusals:
            raise forms.ValidationError(self.refusals[chosen])
        return chosen

    @staticmethod
    def initial_for(service: Service | None) -> dict[str, Any]:
        if service is None:
            return {
                "duration_minutes": 30,
                "buffer_before_minutes": 0,
                "buffer_after_minutes": 0,
                "capacity": 1,
                "price": "0.00",
                "location_type": Service.LocationType.VIDEO,
                "initial_status": Service.InitialStatus.CONFIRMED,
                "min_notice_minutes": 0,
                "horizon_days": 60,
                "is_active": True,
                "assignment": Assignment.ROUND_ROBIN,
                "per_attendee_links": True,
            }
        initial: dict[str, Any] = {
            name: getattr(service, name)
            for name in (
                "name",
                "description",
                "duration_minutes",
                "buffer_before_minutes",
                "buffer_after_minutes",
                "capacity",
                "price",
                "location_type",
                "initial_status",
                "min_notice_minutes",
                "horizon_days",
                "is_active",
                "video_provider",
                "fallback_video_provider",
                "assignment",
                "per_attendee_links",
                "series_allowed",
            )
        }
        initial["staff"] = list(service.staff.values_list("pk", flat=True))
        options = service.meeting_options or {}
        for name in SWITCHES:
            value = options.get(name)
            initial[name] = DEFAULT if value is None else ("on" if value else "off")
        initial["auto_recording"] = options.get("auto_recording") or DEFAULT
        return initial

    def meeting_options(self) -> dict[str, bool | str | None]:
        """Every option as chosen, None for the host's default (so an update returns it to the default)."""
        data = self.cleaned_data
        options: dict[str, bool | str | None] = {
            name: None if not data.get(name) else data[name] == "on" for name in SWITCHES
        }
        options["auto_recording"] = data.get("auto_recording") or None
        return options

    def values(self) -> dict[str, Any]:
        """The service's own fields and its video provider (not staff, not meeting options)."""
        data = self.cleaned_data
        skip = {"staff", *OPTION_FIELDS}
        if not data.get("assignment"):
            skip.add("assignment")  # not sent: kept (the default for a new service)
        if "fallback_video_provider" not in self.data:
            skip.add("fallback_video_provider")  # a client that knows nothing of it: the catalog keeps it
        elif data.get("video_provider") is None:
            # Video turned off: the page hides the fallback, whatever its select still holds goes with it.
            data = {**data, "fallback_video_provider": None}
        return {name: value for name, value in data.items() if name not in skip}


# Form prefixes on the service page: the add form, and one edit form per question.
ADD_PREFIX = "new"


def edit_prefix(question: ServiceQuestion) -> str:
    return f"q{question.pk}"


class QuestionForm(forms.Form):
    """One booking question as an admin writes it; `scheduling.questions` checks the rest."""

    label = forms.CharField(label="Question", max_length=200)
    kind = forms.ChoiceField(label="Answered by", choices=ServiceQuestion.Kind.choices)
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a choice: one option per line, 2 to 20.",
    )
    required = forms.BooleanField(
        label="Required", required=False, help_text="A required checkbox must be ticked to book."
    )

    @staticmethod
    def initial_for(question: ServiceQuestion) -> dict[str, Any]:
        return {
            "label": question.label,
            "kind": question.kind,
            "choices": "\n".join(question.choices),
            "required": question.required,
        }

    def draft(self) -> QuestionDraft:
        data = self.cleaned_data
        options = [line.strip() for line in data.get("choices", "").splitlines() if line.strip()]
        return QuestionDraft(data["label"], data["kind"], options, data["required"])

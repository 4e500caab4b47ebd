"""Announcements that other packages turn into jobs: the announcer does not know who listens.

    # the announcer (scheduling), in its writer's transaction
    jobs.announce(AppointmentChanged(...), BookingChanged(...))

    # a consumer, in its AppConfig.ready()
    jobs.subscribe(BookingChanged, booking_messages)   # booking_messages(event) -> list[jobs.NewJob]

Each subscriber of an event's type (its exact class) turns the event into its own jobs; `announce` inserts all
the jobs of all the events in ONE statement (`enqueue_all`), in the caller's transaction: the booking path's
statement count does not grow with the number of consumers. So a subscriber must not touch the database: it
builds jobs from what the event says (and raises, like `enqueue`, when it cannot: the writer's transaction
rolls back). Subscribers run in the order they subscribed; the jobs keep that order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rendez.jobs.models import Job
    from rendez.jobs.queue import NewJob

E = TypeVar("E")
Subscriber = Callable[[Any], Iterable["NewJob"]]

_subscribers: dict[type, list[Subscriber]] = {}


def subscribe(event_type: type[E], subscriber: Callable[[E], Iterable[NewJob]]) -> None:
    """Call `subscriber(event)` for every announced `event_type`; subscribing the same function twice (a
    ready() run again by tests) keeps one subscription."""
    subscribers = _subscribers.setdefault(event_type, [])
    if subscriber not in subscribers:
        subscribers.append(subscriber)


def unsubscribe(event_type: type[E], subscriber: Callable[[E], Iterable[NewJob]]) -> None:
    subscribers = _subscribers.get(event_type, [])
    if subscriber in subscribers:
        subscribers.remove(subscriber)


def subscribers_of(event_type: type) -> list[Subscriber]:
    return list(_subscribers.get(event_type, ()))


def jobs_for(events: Iterable[object]) -> list[NewJob]:
    """The jobs the subscribers make of `events`, in event then subscription order."""
    return [
        new
        for event in events
        for subscriber in _subscribers.get(type(event), ())
        for new in subscriber(event)
    ]


def announce(*events: object) -> Sequence[Job]:
    """Hand `events` to their subscribers and add all their jobs in one insert (none when nobody made any)."""
    from rendez.jobs.queue import enqueue_all

    new_jobs = jobs_for(events)
    return enqueue_all(new_jobs) if new_jobs else []

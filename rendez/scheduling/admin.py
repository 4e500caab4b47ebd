"""The operator's view of scheduling data: read-only.

Bookings and appointments change only through `scheduling/services.py`; staff, hours, time off and services
only through `scheduling/catalog.py` (locks, validation, follow-up jobs). The panel and the API are where they
are edited, so the admin never writes them behind those modules' backs.
"""

from django.contrib import admin

from rendez.scheduling.models import Appointment, Booking, Customer, Service, Staff, TimeOff, WorkingHours


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# The admin's own labels where Django's "name + s" misreads ("working hourss", "time offs"); set here rather
# than in the models' Meta, where a label only the admin shows would be a migration.
TimeOff._meta.verbose_name_plural = "time off"


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0
    verbose_name = verbose_name_plural = "working hours"

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Staff)
class StaffAdmin(ReadOnlyAdmin):
    list_display = ["name", "tenant", "email", "timezone", "is_active"]
    list_filter = ["tenant"]
    inlines = [WorkingHoursInline]


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["name", "tenant", "duration_minutes", "capacity", "video_provider", "is_active"]
    list_filter = ["tenant", "video_provider"]


@admin.register(Appointment, Booking, Customer, TimeOff)
class RecordAdmin(ReadOnlyAdmin):
    pass

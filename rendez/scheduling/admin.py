from django.contrib import admin

from rendez.scheduling.models import Appointment, Booking, Customer, Service, Staff, TimeOff, WorkingHours


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    extra = 0


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ["name", "tenant", "email", "timezone", "is_active"]
    inlines = [WorkingHoursInline]


admin.site.register(Service)
admin.site.register(Customer)
admin.site.register(TimeOff)
# Bookings and appointments change only through scheduling/services.py, so the admin shows them read-only.


@admin.register(Appointment, Booking)
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

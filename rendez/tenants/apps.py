from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "rendez.tenants"
    label = "tenants"

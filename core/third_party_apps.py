"""Third-party apps titled in Thai in the admin (their own verbose names are English or unclear).

django-axes' records of sign-ins and failed attempts: "Axes" in the admin becomes "Sign-in records"
(Thai: บันทึกการเข้าสู่ระบบ). Django's auth app ("Authentication and Authorization", which Django's Thai
catalogue renders as การตรวจสอบและอนุมัติ) gets a clearer Thai name through locale/th
(core/django_strings.py); django-otp's device models are named in twofactor/apps.py.
"""
from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class SignInRecordsConfig(AxesAppConfig):
    verbose_name = _("Sign-in records")


from django_tasks_db.apps import TasksAppConfig  # noqa: E402


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db's queue ("Tasks Database Backend" / "Task Results") as "งานเบื้องหลัง" in the admin."""

    verbose_name = _("Background tasks")

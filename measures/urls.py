from django.urls import path

from . import views

app_name = "measures"
urlpatterns = [
    path("", views.index, name="index"),
]

from django.urls import path

from . import views

app_name = "ita"
urlpatterns = [
    path("", views.result_list, name="results"),
]

from django.urls import path

from . import views

app_name = "ita"
urlpatterns = [
    path("", views.result_list, name="results"),
    path("<int:year>/", views.result_detail, name="result_detail"),
    path("<int:year>/new/", views.result_create, name="result_create"),
    path("<int:year>/edit/", views.result_edit, name="result_edit"),
    path("<int:year>/confirm/", views.result_confirm, name="result_confirm"),
]

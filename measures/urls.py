from django.urls import path

from . import import_views, views

app_name = "measures"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:fiscal_year>/", views.measure_list, name="list"),
    path("<int:fiscal_year>/new/", views.measure_create, name="create"),
    path("<int:fiscal_year>/copy/", views.measure_copy, name="copy"),
    path("<int:fiscal_year>/import/", import_views.import_measures, name="import"),
    path("m/<int:pk>/", views.measure_edit, name="edit"),
    path("m/<int:pk>/delete/", views.measure_delete, name="delete"),
    path("m/<int:pk>/move/<str:direction>/", views.measure_move, name="move"),
]

from django.urls import path

from . import views

app_name = "oit"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/", views.register, name="register"),
    path("<int:year>/start/", views.start, name="start"),
    path("<int:year>/paste/", views.paste, name="paste"),
    path("<int:year>/carry-forward/", views.carry_forward, name="carry_forward"),
    path("<int:year>/confirm/", views.confirm, name="confirm"),
    path("rows/<int:pk>/", views.row, name="row"),
    path("rows/<int:pk>/quick-add/", views.quick_add, name="quick_add"),
    path("rows/<int:pk>/links/", views.add_link, name="add_link"),
    path("rows/<int:pk>/files/", views.add_file, name="add_file"),
    path("answers/<int:pk>/", views.change_link, name="change_link"),
    path("answers/<int:pk>/reviewed/", views.reviewed, name="reviewed"),
    path("answers/<int:pk>/remove/", views.remove, name="remove"),
    path("answers/<int:pk>/file/", views.answer_file, name="answer_file"),
]

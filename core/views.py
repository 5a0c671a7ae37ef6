from django.shortcuts import render

from orgs.models import Organisation


def home(request):
    organisations = Organisation.objects.order_by("province", "name")
    return render(request, "core/home.html", {"organisations": organisations})

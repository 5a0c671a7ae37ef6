from django.shortcuts import render

from .access import org_member_required
from .models import Role


@org_member_required(Role.ADMIN)
def settings_home(request, org_slug):
    return render(request, "orgs/settings.html", {"nav": "settings"})

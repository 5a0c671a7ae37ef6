"""Factories for tests: small, explicit objects instead of big fixtures."""
import factory
from django.contrib.auth import get_user_model

from ita.models import AssessmentYear, Indicator, Tool
from measures.models import Measure, MeasureStep
from orgs.models import Division, Membership, Organisation, OrganisationKind, Role
from reports.models import Document, DocumentKind, ProgressEntry

PASSWORD = "pw-for-tests"  # every user's password


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "สมหญิง"
    last_name = "ใจดี"
    password = factory.django.Password(PASSWORD)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.SUBDISTRICT_MUNICIPALITY
    name = factory.Sequence(lambda n: f"เทศบาลตำบลทดสอบ{n}")
    district = "เมือง"
    province = "ขอนแก่น"
    slug = factory.Sequence(lambda n: f"org{n}")


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"กองที่ {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.STAFF


class AssessmentYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssessmentYear
        django_get_or_create = ["year"]

    year = 2567
    scale = "new"


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool
        django_get_or_create = ["code"]

    code = "IIT"
    name = "แบบวัดการรับรู้ของผู้มีส่วนได้ส่วนเสียภายใน"


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    year = factory.SubFactory(AssessmentYearFactory)
    tool = factory.SubFactory(ToolFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"ตัวชี้วัดที่ {n + 1}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    organisation = factory.SubFactory(OrganisationFactory)
    fiscal_year = 2568
    order = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"มาตรการที่ {n}")


class MeasureStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeasureStep

    measure = factory.SubFactory(MeasureFactory)
    order = factory.Sequence(lambda n: n)
    text = factory.Sequence(lambda n: f"ขั้นตอนที่ {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    """A draft document; create workflow states through reports.workflow.transitions, not by setting status."""

    class Meta:
        model = Document

    organisation = factory.SubFactory(OrganisationFactory)
    fiscal_year = 2568
    kind = DocumentKind.PROGRESS
    round = 6


class ProgressEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressEntry

    document = factory.SubFactory(DocumentFactory)
    measure = factory.SubFactory(MeasureFactory, organisation=factory.SelfAttribute("..document.organisation"),
                                 fiscal_year=factory.SelfAttribute("..document.fiscal_year"))
    output = "จัดประชุมชี้แจงบุคลากร"


def confirm_result(result, approver=None):
    """Confirm ``result`` as an approver of its organisation does (ita.services.confirm_result), so the
    public pages and the open data show it; an approver is made when the organisation has none."""
    from ita import services

    if approver is None:
        membership = Membership.objects.filter(organisation_id=result.organisation_id, role=Role.APPROVER,
                                               is_active=True).select_related("user").first()
        approver = membership.user if membership else MembershipFactory(
            organisation=result.organisation, role=Role.APPROVER,
            user=UserFactory(username=f"result-approver-{result.organisation_id}"),
        ).user
    result.refresh_from_db(fields=["version"])
    return services.confirm_result(result, actor=approver, expected_version=result.version)

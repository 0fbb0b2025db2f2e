"""Public boards (公示栏): what a community offers, needs and has done, for anyone to read.

No login: the rows come through `restrict(user, "board", ...)`, which keeps the rows each model
declares public (`public_scope("board")`). Each capability renders its own section from its
`queries.public_board(org)`, which returns public fields only — never a person's identity.
"""

import importlib
import io

import qrcode
import qrcode.image.svg
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import cache_control

from gongjian.core.access import restrict
from gongjian.orgs.models import Organization, ancestor_paths

# (capability module with public_board(org), its section template), in page order.
SECTIONS = [
    ("gongjian.projects.queries", "boards/_projects.html"),
    ("gongjian.wishes.queries", "boards/_wishes.html"),
]


def _public_orgs(user):
    return restrict(user, "board", Organization)


def board_index(request):
    """Streets with their communities; a search finds a street by its or a community's name."""
    q = request.GET.get("q", "").strip()
    public = _public_orgs(request.user)
    streets = public.filter(sector="street").order_by("path")
    if q:
        # The first 200 organisations named so lead to their streets: enough for a name typed.
        found = public.filter(name__contains=q).values_list("path", flat=True)[:200]
        streets = streets.filter(path__in={a for p in found for a in ancestor_paths(p)})
    page = Paginator(streets, 20).get_page(request.GET.get("page"))
    blocks = []
    if page.object_list:
        under_any = Q()
        for street in page:
            under_any |= Q(path__startswith=street.path)
        communities = list(public.filter(under_any, sector="community").order_by("path")
                           .only("code", "name", "path"))
        for street in page:
            blocks.append((street, [c for c in communities if c.path.startswith(street.path)]))
    return render(request, "boards/index.html", {"blocks": blocks, "page": page, "q": q})


def board_detail(request, code):
    org = get_object_or_404(_public_orgs(request.user), code=code)
    sections = []
    for module_name, template in SECTIONS:
        module = importlib.import_module(module_name)
        sections.append({"template": template, "data": module.public_board(org)})
    children = (_public_orgs(request.user).communities().filter(path__startswith=org.path)
                .order_by("path").only("code", "name") if org.sector == "street" else [])
    share_url = request.build_absolute_uri(reverse("board_detail", args=[org.code]))
    return render(request, "boards/detail.html", {"org": org, "sections": sections,
                                                  "children": children, "share_url": share_url})


@cache_control(public=True, max_age=86400)
def board_qr(request, code):
    org = get_object_or_404(_public_orgs(request.user), code=code)
    url = request.build_absolute_uri(reverse("board_detail", args=[org.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")

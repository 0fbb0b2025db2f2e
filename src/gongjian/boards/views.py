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
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control

from gongjian.core.access import can, restrict
from gongjian.core.capabilities import board_sections
from gongjian.orgs.models import Organization, ancestor_paths


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


# Rows of each list shown at once: a street's board holds up to a few hundred wishes and
# projects, which on a phone would be metres of scrolling.
BOARD_PAGE_SIZE = 10


def _page_url(request, key, number):
    """This board with list `key` at page `number` (the other lists where they were)."""
    params = request.GET.copy()
    if number == 1:
        params.pop(key, None)
    else:
        params[key] = number
    query = params.urlencode()
    return f"{request.path}{'?' + query if query else ''}#board-{key}"


def _paged(request, data):
    """Each list of a section's data as a page of BOARD_PAGE_SIZE rows, turned by its own
    parameter (?wishes=2), with the links to the pages before and after."""
    paged = dict(data)
    for key, rows in data.items():
        if not isinstance(rows, list):
            continue
        page = Paginator(rows, BOARD_PAGE_SIZE).get_page(request.GET.get(key))
        page.previous_url = (_page_url(request, key, page.previous_page_number())
                             if page.has_previous() else "")
        page.next_url = _page_url(request, key, page.next_page_number()) if page.has_next() else ""
        paged[key] = page
    return paged


def _posting_link(request, url_name):
    """Where a board's visitor goes to post (a wish, a demand): the page itself for those who
    may use it, the login page leading there for visitors; "" when neither applies."""
    try:
        url = reverse(url_name)
    except NoReverseMatch:  # the capability is not installed
        return ""
    if not request.user.is_authenticated:
        return f"{reverse('login')}?{urlencode({'next': url})}"
    view = getattr(resolve(url).func, "view_class", None)
    model, action = getattr(view, "model", None), getattr(view, "action", "add")
    return url if model is None or can(request.user, action, model) else ""


def board_detail(request, code):
    org = get_object_or_404(_public_orgs(request.user), code=code)
    sections = []
    for module_name, template in board_sections():
        module = importlib.import_module(module_name)
        sections.append({"template": template,
                         "data": _paged(request, module.public_board(org))})
    children = (_public_orgs(request.user).communities().filter(path__startswith=org.path)
                .order_by("path").only("code", "name") if org.sector == "street" else [])
    board_url = reverse("board_detail", args=[org.code])
    share_url = request.build_absolute_uri(board_url)
    return render(request, "boards/detail.html", {
        "org": org, "sections": sections, "children": children, "share_url": share_url,
        "login_url": f"{reverse('login')}?{urlencode({'next': board_url})}",
        "wish_url": _posting_link(request, "wish_create"),
        "demand_url": _posting_link(request, "demand_create"),
    })


@cache_control(public=True, max_age=86400)
def board_qr(request, code):
    org = get_object_or_404(_public_orgs(request.user), code=code)
    url = request.build_absolute_uri(reverse("board_detail", args=[org.code]))
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10,
                        border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")

"""A reader's pages: the dashboard, status changes, checklists and notes."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The landing page for visitors."""
    return render(request, "progress/landing.html")

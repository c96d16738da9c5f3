from django.urls import path

from plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan, name="plan"),
    path("budget/", views.set_budget, name="budget"),
    path("time-left/", views.time_left_line, name="time-left"),
    path("adjust/", views.adjust, name="adjust"),
    path("restore/", views.restore, name="restore"),
    path("calendar/", views.calendar_address, name="calendar"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]

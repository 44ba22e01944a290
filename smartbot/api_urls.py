"""REST API routes, under /api/. (Being written: issue 5.)"""

urlpatterns: list = []

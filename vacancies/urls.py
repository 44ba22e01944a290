app_name = "vacancies"

urlpatterns: list = []

app_name = "clinic"

urlpatterns = []

"""AppConfigs that give Django's contrib apps ObjectId keys when the database is MongoDB.

django-mongodb-backend refuses integer auto fields. Settings install these in place of the
stock configs only when DATABASE_URL is a MongoDB URL; their migrations live in
bgt/mongo_migrations (selected by MIGRATION_MODULES).
"""

from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.apps import AuthConfig
from django.contrib.contenttypes.apps import ContentTypesConfig

OBJECT_ID_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"


class MongoAdminConfig(AdminConfig):
    default_auto_field = OBJECT_ID_AUTO_FIELD


class MongoAuthConfig(AuthConfig):
    default_auto_field = OBJECT_ID_AUTO_FIELD


class MongoContentTypesConfig(ContentTypesConfig):
    default_auto_field = OBJECT_ID_AUTO_FIELD

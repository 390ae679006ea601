"""The one DbtProject (kept apart from @dbt_assets so the manifest can be prepared first)."""

from __future__ import annotations

from orchestration.defs.dbt_library import DbtProject
from orchestration.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()

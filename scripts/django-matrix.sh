#!/usr/bin/env bash
# The Django integration's tests on both ends of the supported Django range, in the
# project's own .venv: each Django release is installed alone into .matrix/django-X
# (pip --target, no other package changes) and put first on PYTHONPATH, which the test
# processes and the servers they start (gunicorn, uvicorn, runserver) all inherit.
#   scripts/django-matrix.sh            # 4.2 (the lower bound) and 5.2 (newest for 3.11)
#   scripts/django-matrix.sh 5.1        # any releases, by pip version spec
# Django 6.x needs Python >= 3.12: it is skipped, and said, on an older Python.
# Exit status: 1 if any release failed.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=("4.2.0" "5.2")
status=0
for version in "${versions[@]}"; do
  major=${version%%.*}
  if [ "$major" -ge 6 ] && ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
    echo "django-matrix: Django $version needs Python >= 3.12; skipped on $("$PY" -V)" >&2
    continue
  fi
  spec="django==$version"
  [[ "$version" == *.*.* ]] || spec="django==$version.*"
  # strawberry-graphql-django releases since 0.83 import Django 5's GeneratedField:
  # Django 4.x gets the last release that runs on it, in the same folder.
  companions=()
  case "$version" in 4.*) companions=("strawberry-graphql-django==0.82.1") ;; esac
  target=".matrix/django-$version"
  if [ ! -d "$target/django" ]; then
    "$PY" -m pip install --quiet --no-deps --target "$target" "$spec" "${companions[@]}"
  fi
  got=$(PYTHONPATH="$target" "$PY" -c 'import django; print(django.get_version())')
  echo "django-matrix: Django $got"
  if ! PYTHONPATH="$target${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest -q -p no:cacheprovider \
      adapters/auditmw-django/tests; then
    echo "django-matrix: FAILED on Django $got" >&2
    status=1
  fi
done
exit $status

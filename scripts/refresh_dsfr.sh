#!/usr/bin/env bash
# Vendor the State design system (DSFR) into static/dsfr/.
#
# Fetches the npm package @gouvfr/dsfr at a pinned version with `npm pack`
# (no node_modules, no package.json in the project) and copies only what the
# templates use:
#   - dist/dsfr.min.css (all components, light and dark schemes, print rules);
#   - icons.min.css: the few utility icons the templates use (list below),
#     extracted from dist/utility/icons/icons.min.css instead of shipping the
#     whole 350 KB icon sheet and its 1,500 SVG files;
#   - dist/dsfr.module.min.js and dist/dsfr.nomodule.min.js;
#   - every file the kept CSS references with url(...) (fonts, icon SVGs), so
#     that no stylesheet request answers 404 -- except the .woff fallbacks of
#     the fonts: each @font-face lists the .woff2 file first and every browser
#     DSFR supports (all but Internet Explorer) reads woff2, so the .woff files
#     are never requested;
#   - the favicon files and the artwork (pictograms) named below.
#
# Usage: scripts/refresh_dsfr.sh            (from anywhere; needs npm and node)
# To upgrade DSFR: change DSFR_VERSION, run the script, check the pages.
set -euo pipefail

DSFR_VERSION="1.15.3"

# Utility icons (class fr-icon-<name>): every one written in templates/ is
# found by the script; list here those whose class name is built at run time.
# Icons built into components (fr-btn--account, alerts, breadcrumb...) come
# with dsfr.min.css.
EXTRA_ICONS=(
  lock-line
  logout-box-r-line
  account-circle-line
  user-add-line
)

# Artwork used by the templates (SVG sprites referenced with <use href>).
ARTWORK=(
  artwork/background/ovoid.svg
  artwork/pictograms/system/technical-error.svg
  artwork/pictograms/digital/avatar.svg
  artwork/pictograms/buildings/city-hall.svg
  artwork/pictograms/map/location-france.svg
)

FAVICONS=(
  favicon/apple-touch-icon.png
  favicon/favicon.svg
  favicon/favicon.ico
  favicon/manifest.webmanifest
  favicon/android-chrome-192x192.png
  favicon/android-chrome-512x512.png
)

project_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mapfile -t ICONS < <(
  {
    printf '%s\n' "${EXTRA_ICONS[@]}"
    grep -rhoE 'fr-icon-[a-z0-9][a-z0-9-]*' "$project_root/templates" | sed 's/^fr-icon-//' || true
  } | sort -u
)
target="$project_root/static/dsfr"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "Fetching @gouvfr/dsfr@$DSFR_VERSION..."
(cd "$work" && npm pack --silent "@gouvfr/dsfr@$DSFR_VERSION" >/dev/null)
tar -xzf "$work/gouvfr-dsfr-$DSFR_VERSION.tgz" -C "$work"
dist="$work/package/dist"

packaged_version="$(node -p "require('$work/package/package.json').version")"
packaged_license="$(node -p "require('$work/package/package.json').license")"
if [[ "$packaged_version" != "$DSFR_VERSION" ]]; then
  echo "error: npm returned version $packaged_version, expected $DSFR_VERSION" >&2
  exit 1
fi

# Build the new tree beside the old one, then swap, so a failure half-way
# leaves the current files in place.
staging="$work/staging"
mkdir -p "$staging"

copy() {  # copy dist/<relative path> into the staging tree
  local relative="$1"
  if [[ ! -f "$dist/$relative" ]]; then
    echo "error: $relative is not in @gouvfr/dsfr@$DSFR_VERSION" >&2
    exit 1
  fi
  mkdir -p "$staging/$(dirname "$relative")"
  cp "$dist/$relative" "$staging/$relative"
}

copy dsfr.min.css
copy dsfr.module.min.js
copy dsfr.nomodule.min.js
for file in "${FAVICONS[@]}" "${ARTWORK[@]}"; do
  copy "$file"
done

# Icon subset. In icons.min.css each icon has a first rule with mask-image
# (every current browser) and a second one inside an Internet Explorer media
# query; only the first is kept. Paths are rewritten relative to static/dsfr/.
{
  echo "/* DSFR v$DSFR_VERSION utility icons used by Recrutement PVD,"
  echo "   extracted by scripts/refresh_dsfr.sh from dist/utility/icons/icons.min.css."
  echo "   SPDX-License-Identifier: $packaged_license */"
  for icon in "${ICONS[@]}"; do
    matches="$(grep -oE "\.fr-icon-$icon:after,\.fr-icon-$icon:before\{-webkit-mask-image:[^}]*\}" \
      "$dist/utility/icons/icons.min.css" || true)"
    rule="${matches%%$'\n'*}"
    if [[ -z "$rule" ]]; then
      echo "error: icon fr-icon-$icon not found in DSFR $DSFR_VERSION" >&2
      exit 1
    fi
    echo "${rule//..\/..\/icons\//icons/}"
  done
} >"$staging/icons.min.css"

# Every url(...) of the kept stylesheets, data: URIs and .woff fallbacks aside.
for css in "$staging/dsfr.min.css" "$staging/icons.min.css"; do
  grep -oE 'url\([^)]*\)' "$css" \
    | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' \
    | grep -vE '^(data:|#)' \
    | grep -vE '\.woff$' || true
done | sort -u | while read -r asset; do
  copy "$asset"
done

cat >"$staging/VERSION" <<EOF
@gouvfr/dsfr $DSFR_VERSION
Source: npm package @gouvfr/dsfr@$DSFR_VERSION (https://www.npmjs.com/package/@gouvfr/dsfr),
vendored by scripts/refresh_dsfr.sh; only the files the templates use are kept.

Licence of the code: $packaged_license (Licence Ouverte / Open Licence 2.0, Etalab),
as declared by the package (package.json "license" and LICENSE.md).
Its use is restricted by the DSFR terms of use (doc/legal/cgu.md in the package):
the DSFR identifies the French State's websites and may only be used by State
services and operators, after the approval (agrément) of the Service
d'information du Gouvernement (SIG).

Fonts: the Marianne typeface (fonts/Marianne-*.woff2) is a property of the
French State, not covered by the code licence: its use is subject to the
specific terms of the State brand ("marque de l'État",
https://www.info.gouv.fr/marque-de-letat/la-typographie). Spectral
(fonts/Spectral-*.woff2) is distributed under the SIL Open Font License 1.1.
EOF

rm -rf "$target"
mkdir -p "$(dirname "$target")"
mv "$staging" "$target"

echo "DSFR $DSFR_VERSION vendored into static/dsfr/:"
echo "  $(find "$target" -type f | wc -l) files, $(du -sh "$target" | cut -f1)"

# shellcheck shell=bash
# load_env_file FILE: exports the variables of the hub's environment file (systemd's EnvironmentFile
# format: KEY=value lines, the value optionally in "double" or 'single' quotes, # comments, blank
# lines). The file is parsed line by line, never executed as shell. Used by deploy.sh (for
# `npm run migrate`) and by the Supervisor wrapper (deploy/supervisor/ocpizza-hub.sh).
load_env_file() {
  local file="$1" line key value number=0
  if [ ! -r "$file" ]; then
    printf 'cannot read %s (the hub'"'"'s environment, see deploy/README.md)\n' "$file" >&2
    return 1
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    number=$((number + 1))
    line="${line#"${line%%[![:space:]]*}"}"
    [[ -z "$line" || "$line" == \#* ]] && continue
    if [[ ! "$line" =~ ^([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      printf '%s:%d: not a KEY=value line\n' "$file" "$number" >&2
      return 1
    fi
    key="${BASH_REMATCH[1]}"
    value="${BASH_REMATCH[2]}"
    if [[ "$value" =~ ^\"(.*)\"$ ]] || [[ "$value" =~ ^\'(.*)\'$ ]]; then value="${BASH_REMATCH[1]}"; fi
    export "$key=$value"
  done <"$file"
}

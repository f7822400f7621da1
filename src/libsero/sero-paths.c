/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-paths"

#include "config.h"

#include "sero-env-file.h"
#include "sero-paths.h"
#include "sero-profile-registry.h"
#include "sero-redact.h"

/* The canonical state path map (the seed's "State and Folders" table and
 * reference §9.4). Everything that names a file under SERO_HOME asks here,
 * so the CLI, the diagnostics report and docs/state-and-folders.md cannot
 * drift apart. */

struct _SeroPaths
{
  GObject         parent_instance;

  char           *home;
  char           *agent_dir;
  char           *ui_root;
  GStrv           loaded_env_keys;
  SeroHomeSource  source;
};

G_DEFINE_FINAL_TYPE (SeroPaths, sero_paths, G_TYPE_OBJECT)

static const SeroPathEntry path_map[] = {
  { "home",               SERO_PATH_BASE_HOME,    "",                        FALSE, "Active profile folder (SERO_HOME)" },
  { "agent",              SERO_PATH_BASE_AGENT,   "",                        FALSE, "Agent folder (PI_CODING_AGENT_DIR)" },
  { "provider-auth",      SERO_PATH_BASE_AGENT,   "auth.json",               TRUE,  "Provider auth store" },
  { "profile-env",        SERO_PATH_BASE_AGENT,   ".env",                    TRUE,  "Profile-local environment variables" },
  { "github-auth",        SERO_PATH_BASE_AGENT,   "github-auth.json",        TRUE,  "GitHub auth" },
  { "models",             SERO_PATH_BASE_AGENT,   "models.json",             TRUE,  "Local and custom model config" },
  { "settings",           SERO_PATH_BASE_AGENT,   "settings.json",           FALSE, "Agent settings" },
  { "gateway-token",      SERO_PATH_BASE_AGENT,   "gateway-token",           TRUE,  "Gateway master token" },
  { "gateway-config",     SERO_PATH_BASE_AGENT,   "gateway-config.json",     TRUE,  "Gateway config" },
  { "gateway-web-tokens", SERO_PATH_BASE_AGENT,   "gateway-web-tokens.json", TRUE,  "Gateway web tokens" },
  { "layout",             SERO_PATH_BASE_AGENT,   "layout.json",             FALSE, "Layout and UI state" },
  { "workspace-registry", SERO_PATH_BASE_AGENT,   "workspaces.json",         FALSE, "Workspace registry" },
  { "global-memory",      SERO_PATH_BASE_HOME,    "workspaces/global",       FALSE, "Global memory files" },
  { "app-state",          SERO_PATH_BASE_HOME,    "apps",                    FALSE, "App state (also <workspace>/.sero/apps/)" },
  { "plugins",            SERO_PATH_BASE_AGENT,   "plugins",                 FALSE, "Plugins" },
  { "sessions",           SERO_PATH_BASE_AGENT,   "sessions",                FALSE, "Agent session files (JSONL)" },
  { "logs",               SERO_PATH_BASE_HOME,    "logs",                    FALSE, "Log files, one per component" },
  { "runtime-log-links",  SERO_PATH_BASE_ABSOLUTE, "/tmp/sero-*.log",        FALSE, "Links to the current log files" },
  { "profiles-registry",  SERO_PATH_BASE_UI_ROOT, "profiles.json",           FALSE, "Profile registry (shared by all profiles)" },
  { "container-cleanup",  SERO_PATH_BASE_UI_ROOT, "container-cleanup.json",  FALSE, "Pending container deletions (all profiles)" },
};

static const char * const source_names[] = {
  [SERO_HOME_SOURCE_OVERRIDE] = "override",
  [SERO_HOME_SOURCE_PROFILE]  = "profile",
  [SERO_HOME_SOURCE_REPAIRED] = "repaired",
  [SERO_HOME_SOURCE_MIGRATED] = "migrated",
  [SERO_HOME_SOURCE_FRESH]    = "fresh",
};

static void
sero_paths_finalize (GObject *object)
{
  SeroPaths *self = (SeroPaths *) object;

  g_clear_pointer (&self->home, g_free);
  g_clear_pointer (&self->agent_dir, g_free);
  g_clear_pointer (&self->ui_root, g_free);
  g_clear_pointer (&self->loaded_env_keys, g_strfreev);

  G_OBJECT_CLASS (sero_paths_parent_class)->finalize (object);
}

static void
sero_paths_class_init (SeroPathsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = sero_paths_finalize;
}

static void
sero_paths_init (SeroPaths *self)
{
}

/**
 * sero_paths_get_user_home:
 *
 * $HOME when set, else the password database. GLib caches
 * g_get_home_dir() for the life of the process, which tests (and a CLI run
 * with another HOME) cannot change afterwards.
 */
const char *
sero_paths_get_user_home (void)
{
  const char *home = g_getenv ("HOME");

  if (home != NULL && g_path_is_absolute (home))
    return home;

  return g_get_home_dir ();
}

/**
 * sero_paths_get_ui_root:
 *
 * The fixed folder shared by all profiles: ~/.sero-ui, or SERO_HOME_OVERRIDE
 * when set, so that a test or a source checkout never touches the person's
 * real profiles.
 *
 * Returns: (transfer full): an absolute path
 */
char *
sero_paths_get_ui_root (void)
{
  const char *override = g_getenv ("SERO_HOME_OVERRIDE");

  if (override != NULL && override[0] != '\0')
    return g_canonicalize_filename (override, NULL);

  return g_build_filename (sero_paths_get_user_home (), ".sero-ui", NULL);
}

const SeroPathEntry *
sero_path_map (guint *n_entries)
{
  if (n_entries != NULL)
    *n_entries = G_N_ELEMENTS (path_map);

  return path_map;
}

const SeroPathEntry *
sero_path_map_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (path_map); i++)
    {
      if (g_strcmp0 (path_map[i].name, name) == 0)
        return &path_map[i];
    }

  return NULL;
}

const char *
sero_home_source_to_string (SeroHomeSource source)
{
  g_return_val_if_fail (source <= SERO_HOME_SOURCE_FRESH, NULL);

  return source_names[source];
}

/**
 * sero_paths_new_for_home:
 * @home: the profile folder to use as SERO_HOME
 *
 * Returns: (transfer full): a path map rooted at @home
 */
SeroPaths *
sero_paths_new_for_home (const char     *home,
                         SeroHomeSource  source)
{
  SeroPaths *self;

  g_return_val_if_fail (home != NULL, NULL);

  self = g_object_new (SERO_TYPE_PATHS, NULL);
  self->home = g_canonicalize_filename (home, NULL);
  self->agent_dir = g_build_filename (self->home, "agent", NULL);
  self->ui_root = sero_paths_get_ui_root ();
  self->source = source;

  return self;
}

/**
 * sero_paths_resolve:
 *
 * Chooses SERO_HOME in the original's order (reference §9.1):
 * SERO_HOME_OVERRIDE → migration of a pre-profiles install → the active
 * profile → a dangling active id repaired on disk → ~/.sero-ui for a fresh
 * install. The SERO_HOME variable itself is ignored on input: a relaunch
 * after a profile switch inherits the previous profile's value.
 *
 * A registry that does not parse is an error, never a fresh install.
 *
 * Returns: (transfer full): the resolved paths, or %NULL with @error set
 */
SeroPaths *
sero_paths_resolve (GError **error)
{
  g_autoptr(SeroProfileRegistry) registry = NULL;
  g_autofree char *ui_root = sero_paths_get_ui_root ();
  const char *override = g_getenv ("SERO_HOME_OVERRIDE");
  SeroProfile *active;

  if (override != NULL && override[0] != '\0')
    return sero_paths_new_for_home (ui_root, SERO_HOME_SOURCE_OVERRIDE);

  registry = sero_profile_registry_new (ui_root);
  if (!sero_profile_registry_load (registry, error))
    return NULL;

  if (!sero_profile_registry_exists (registry))
    {
      g_autoptr(GError) local_error = NULL;

      if (sero_profile_registry_migrate_legacy (registry, &local_error))
        return sero_paths_new_for_home (ui_root, SERO_HOME_SOURCE_MIGRATED);

      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      return sero_paths_new_for_home (ui_root, SERO_HOME_SOURCE_FRESH);
    }

  if ((active = sero_profile_registry_get_active (registry)))
    return sero_paths_new_for_home (sero_profile_get_path (active), SERO_HOME_SOURCE_PROFILE);

  if (g_list_model_get_n_items (G_LIST_MODEL (registry)) > 0)
    {
      if (!(active = sero_profile_registry_repair_active (registry, error)))
        return NULL;

      return sero_paths_new_for_home (sero_profile_get_path (active), SERO_HOME_SOURCE_REPAIRED);
    }

  return sero_paths_new_for_home (ui_root, SERO_HOME_SOURCE_FRESH);
}

const char *
sero_paths_get_home (SeroPaths *self)
{
  g_return_val_if_fail (SERO_IS_PATHS (self), NULL);

  return self->home;
}

const char *
sero_paths_get_agent_dir (SeroPaths *self)
{
  g_return_val_if_fail (SERO_IS_PATHS (self), NULL);

  return self->agent_dir;
}

const char *
sero_paths_get_ui_root_dir (SeroPaths *self)
{
  g_return_val_if_fail (SERO_IS_PATHS (self), NULL);

  return self->ui_root;
}

SeroHomeSource
sero_paths_get_source (SeroPaths *self)
{
  g_return_val_if_fail (SERO_IS_PATHS (self), SERO_HOME_SOURCE_FRESH);

  return self->source;
}

/**
 * sero_paths_build_entry:
 *
 * Returns: (transfer full): the absolute path of @entry for this profile
 */
char *
sero_paths_build_entry (SeroPaths           *self,
                        const SeroPathEntry *entry)
{
  const char *base = NULL;

  g_return_val_if_fail (SERO_IS_PATHS (self), NULL);
  g_return_val_if_fail (entry != NULL, NULL);

  switch (entry->base)
    {
    case SERO_PATH_BASE_HOME:
      base = self->home;
      break;

    case SERO_PATH_BASE_AGENT:
      base = self->agent_dir;
      break;

    case SERO_PATH_BASE_UI_ROOT:
      base = self->ui_root;
      break;

    case SERO_PATH_BASE_ABSOLUTE:
      return g_strdup (entry->relative);

    default:
      g_assert_not_reached ();
    }

  if (entry->relative[0] == '\0')
    return g_strdup (base);

  return g_build_filename (base, entry->relative, NULL);
}

/**
 * sero_paths_lookup:
 * @name: a path map name such as "provider-auth"
 *
 * Returns: (transfer full) (nullable): the path, or %NULL for an unknown name
 */
char *
sero_paths_lookup (SeroPaths  *self,
                   const char *name)
{
  const SeroPathEntry *entry;

  g_return_val_if_fail (SERO_IS_PATHS (self), NULL);

  if (!(entry = sero_path_map_lookup (name)))
    return NULL;

  return sero_paths_build_entry (self, entry);
}

/**
 * sero_paths_apply_environment:
 *
 * Exports SERO_HOME and PI_CODING_AGENT_DIR for tools and child processes
 * (always overwritten) and loads <agent>/.env, which never overrides a
 * variable already set. Loaded secret-looking values are registered with
 * the redactor so they can never reach a log.
 */
gboolean
sero_paths_apply_environment (SeroPaths  *self,
                              GError    **error)
{
  g_autofree char *env_path = NULL;
  g_autoptr(GError) local_error = NULL;
  g_auto(GStrv) loaded = NULL;

  g_return_val_if_fail (SERO_IS_PATHS (self), FALSE);

  g_setenv ("SERO_HOME", self->home, TRUE);
  g_setenv ("PI_CODING_AGENT_DIR", self->agent_dir, TRUE);

  env_path = g_build_filename (self->agent_dir, ".env", NULL);
  loaded = sero_env_file_load (env_path, &local_error);
  if (loaded == NULL && !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  sero_redact_add_secrets_from_environ ();

  g_clear_pointer (&self->loaded_env_keys, g_strfreev);
  self->loaded_env_keys = g_steal_pointer (&loaded);

  return TRUE;
}

/**
 * sero_paths_get_loaded_env_keys:
 *
 * The variables sero_paths_apply_environment() took from the profile's
 * .env, so that switching profiles can drop them before relaunching
 * (otherwise the next profile would inherit this one's keys).
 *
 * Returns: (transfer none) (nullable): the names
 */
const char * const *
sero_paths_get_loaded_env_keys (SeroPaths *self)
{
  g_return_val_if_fail (SERO_IS_PATHS (self), NULL);

  return (const char * const *) self->loaded_env_keys;
}

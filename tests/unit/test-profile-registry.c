/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "sero.h"

/* Every test gets its own $HOME so ~/.sero-ui is a fresh folder. */
typedef struct
{
  char *home;
  char *ui_root;
  char *registry_file;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->home = g_dir_make_tmp ("sero-home-XXXXXX", &error);
  g_assert_no_error (error);
  g_setenv ("HOME", fixture->home, TRUE);
  g_unsetenv ("SERO_HOME_OVERRIDE");
  fixture->ui_root = g_build_filename (fixture->home, ".sero-ui", NULL);
  fixture->registry_file = g_build_filename (fixture->ui_root, "profiles.json", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_free (fixture->home);
  g_free (fixture->ui_root);
  g_free (fixture->registry_file);
}

static void
write_file (const char *path,
            const char *contents)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static SeroProfileRegistry *
load_registry (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  SeroProfileRegistry *registry = sero_profile_registry_new (fixture->ui_root);

  g_assert_true (sero_profile_registry_load (registry, &error));
  g_assert_no_error (error);
  return registry;
}

static JsonObject *
read_registry (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  JsonObject *object = sero_json_file_load_object (fixture->registry_file, SERO_JSON_FILE_NONE, &error);

  g_assert_no_error (error);
  return object;
}

static void
test_fresh_install (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroPaths) paths = sero_paths_resolve (&error);

  g_assert_no_error (error);
  g_assert_cmpint (sero_paths_get_source (paths), ==, SERO_HOME_SOURCE_FRESH);
  g_assert_cmpstr (sero_paths_get_home (paths), ==, fixture->ui_root);
  /* Resolving never writes anything for a fresh install. */
  g_assert_false (g_file_test (fixture->ui_root, G_FILE_TEST_EXISTS));
}

static void
test_override_wins (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autofree char *override = g_build_filename (fixture->home, "elsewhere", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroPaths) paths = NULL;

  /* Even a broken registry is not consulted under an override. */
  write_file (fixture->registry_file, "not json");
  g_setenv ("SERO_HOME_OVERRIDE", override, TRUE);
  paths = sero_paths_resolve (&error);
  g_unsetenv ("SERO_HOME_OVERRIDE");

  g_assert_no_error (error);
  g_assert_cmpint (sero_paths_get_source (paths), ==, SERO_HOME_SOURCE_OVERRIDE);
  g_assert_cmpstr (sero_paths_get_home (paths), ==, override);
}

static void
test_migration (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *agent = g_build_filename (fixture->ui_root, "agent", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroPaths) paths = NULL;
  g_autoptr(JsonObject) registry = NULL;
  JsonObject *entry;

  g_assert_cmpint (g_mkdir_with_parents (agent, 0700), ==, 0);
  paths = sero_paths_resolve (&error);
  g_assert_no_error (error);
  g_assert_cmpint (sero_paths_get_source (paths), ==, SERO_HOME_SOURCE_MIGRATED);
  g_assert_cmpstr (sero_paths_get_home (paths), ==, fixture->ui_root);

  registry = read_registry (fixture);
  g_assert_cmpint (json_object_get_int_member (registry, "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (registry, "profiles")), ==, 1);
  entry = json_array_get_object_element (json_object_get_array_member (registry, "profiles"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "Default");
  g_assert_cmpstr (json_object_get_string_member (entry, "path"), ==, fixture->ui_root);
  g_assert_cmpstr (json_object_get_string_member (entry, "folderProvenance"), ==, "default-root");
  g_assert_true (json_object_get_boolean_member (entry, "onboarded"));
  g_assert_cmpstr (json_object_get_string_member (registry, "activeProfileId"), ==,
                   json_object_get_string_member (entry, "id"));
}

static void
test_active_profile (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = load_registry (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroPaths) paths = NULL;
  SeroProfile *first, *second;

  first = sero_profile_registry_create (registry, "Default", NULL, NULL, &error);
  g_assert_no_error (error);
  second = sero_profile_registry_create (registry, "Work", NULL, NULL, &error);
  g_assert_no_error (error);

  /* The first profile became active by itself. */
  g_assert_cmpstr (sero_profile_registry_get_active_id (registry), ==, sero_profile_get_id (first));
  g_assert_true (sero_profile_registry_set_active (registry, sero_profile_get_id (second), &error));
  g_assert_no_error (error);

  paths = sero_paths_resolve (&error);
  g_assert_no_error (error);
  g_assert_cmpint (sero_paths_get_source (paths), ==, SERO_HOME_SOURCE_PROFILE);
  g_assert_cmpstr (sero_paths_get_home (paths), ==, sero_profile_get_path (second));
}

static void
test_dangling_active_repaired (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *managed = g_build_filename (fixture->ui_root, "profiles", "work", NULL);
  g_autofree char *text = g_strdup_printf (
    "{\"version\": 1, \"activeProfileId\": \"gone\", \"profiles\": ["
    "{\"id\": \"w\", \"name\": \"Work\", \"path\": \"%s\", \"folderProvenance\": \"sero-managed\", \"onboarded\": true},"
    "{\"id\": \"d\", \"name\": \"Default\", \"path\": \"%s\", \"folderProvenance\": \"default-root\", \"onboarded\": true}]}",
    managed, fixture->ui_root);
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroPaths) paths = NULL;
  g_autoptr(JsonObject) registry = NULL;

  write_file (fixture->registry_file, text);
  g_test_expect_message ("sero-profile-registry", G_LOG_LEVEL_MESSAGE, "Active profile “gone” not found*");
  paths = sero_paths_resolve (&error);
  g_test_assert_expected_messages ();
  g_assert_no_error (error);

  /* The profile at the default root is preferred, and the choice is written. */
  g_assert_cmpint (sero_paths_get_source (paths), ==, SERO_HOME_SOURCE_REPAIRED);
  g_assert_cmpstr (sero_paths_get_home (paths), ==, fixture->ui_root);
  registry = read_registry (fixture);
  g_assert_cmpstr (json_object_get_string_member (registry, "activeProfileId"), ==, "d");
}

static void
assert_registry_rejected (Fixture    *fixture,
                          const char *contents,
                          const char *expected_fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SeroPaths) paths = NULL;
  g_autoptr(SeroProfileRegistry) registry = NULL;
  g_autofree char *after = NULL;

  write_file (fixture->registry_file, contents);

  paths = sero_paths_resolve (&error);
  g_assert_null (paths);
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY);
  g_assert_nonnull (strstr (error->message, fixture->registry_file));
  if (strstr (error->message, expected_fragment) == NULL)
    g_error ("“%s” does not mention “%s”", error->message, expected_fragment);
  g_clear_error (&error);

  /* Writers refuse too, so nothing can overwrite the broken file. */
  registry = sero_profile_registry_new (fixture->ui_root);
  g_assert_false (sero_profile_registry_load (registry, NULL));
  g_assert_null (sero_profile_registry_create (registry, "New", NULL, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_REGISTRY);

  /* Byte for byte untouched. */
  g_assert_true (g_file_get_contents (fixture->registry_file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, contents);
}

static void
test_corrupt_registry (Fixture       *fixture,
                       gconstpointer  data)
{
  assert_registry_rejected (fixture, "{\"version\": 1,\n \"profiles\": [\n", ":3:");
}

static void
test_invalid_registries (Fixture       *fixture,
                         gconstpointer  data)
{
  assert_registry_rejected (fixture, "[]", "expected a JSON object");
  assert_registry_rejected (fixture, "{\"version\": 2, \"profiles\": []}", "version");
  assert_registry_rejected (fixture, "{\"version\": 1, \"activeProfileId\": 7, \"profiles\": []}", "activeProfileId");
  assert_registry_rejected (fixture, "{\"version\": 1, \"profiles\": {}}", "profiles");
  assert_registry_rejected (fixture, "{\"version\": 1, \"profiles\": [{\"id\": \"a\", \"name\": \"A\", \"path\": \"relative\"}]}",
                            "profiles[0].path");
  assert_registry_rejected (fixture, "{\"version\": 1, \"profiles\": [{\"id\": \"a\", \"path\": \"/x\"}]}",
                            "profiles[0].name");
  assert_registry_rejected (fixture, "{\"version\": 1, \"profiles\": [{\"id\": \"a\", \"name\": \"A\", \"path\": \"/x\", \"folderProvenance\": \"mine\"}]}",
                            "folderProvenance");
  assert_registry_rejected (fixture, "{\"version\": 1, \"profiles\": ["
                                     "{\"id\": \"a\", \"name\": \"A\", \"path\": \"/x\"},"
                                     "{\"id\": \"a\", \"name\": \"B\", \"path\": \"/y\"}]}",
                            "appears twice");
}

static void
test_repair (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = sero_profile_registry_new (fixture->ui_root);
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *contents = NULL;

  /* Repairing a valid registry is refused. */
  write_file (fixture->registry_file, "{\"version\": 1, \"profiles\": []}");
  g_assert_null (sero_profile_registry_repair (registry, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_BROKEN);
  g_clear_error (&error);

  write_file (fixture->registry_file, "{broken");
  moved = sero_profile_registry_repair (registry, &error);
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (moved, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{broken");
  g_assert_false (g_file_test (fixture->registry_file, G_FILE_TEST_EXISTS));

  /* Usable again afterwards. */
  g_assert_nonnull (sero_profile_registry_create (registry, "Fresh", NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_create_paths (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = load_registry (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *custom = g_build_filename (fixture->home, "custom-profile", NULL);
  g_autofree char *expected_work = g_build_filename (fixture->ui_root, "profiles", "my-work", NULL);
  g_autofree char *expected_work1 = g_build_filename (fixture->ui_root, "profiles", "my-work-1", NULL);
  g_autofree char *workspaces = NULL;
  g_autofree char *agent = NULL;
  SeroProfile *first, *second, *third, *custom_profile;
  struct stat st;

  first = sero_profile_registry_create (registry, "  Default  ", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_profile_get_name (first), ==, "Default");
  g_assert_cmpstr (sero_profile_get_path (first), ==, fixture->ui_root);
  g_assert_cmpint (sero_profile_get_folder_provenance (first), ==, SERO_FOLDER_PROVENANCE_DEFAULT_ROOT);
  g_assert_false (sero_profile_get_onboarded (first));

  second = sero_profile_registry_create (registry, "My Work!", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_profile_get_path (second), ==, expected_work);
  g_assert_cmpint (sero_profile_get_folder_provenance (second), ==, SERO_FOLDER_PROVENANCE_SERO_MANAGED);

  third = sero_profile_registry_create (registry, "My Work", NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_profile_get_path (third), ==, expected_work1);

  custom_profile = sero_profile_registry_create (registry, "Custom", custom, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_profile_get_path (custom_profile), ==, custom);
  g_assert_cmpint (sero_profile_get_folder_provenance (custom_profile), ==, SERO_FOLDER_PROVENANCE_CUSTOM);

  /* Each profile folder gets agent/ (0700) and an empty workspace registry. */
  agent = g_build_filename (custom, "agent", NULL);
  g_assert_cmpint (g_stat (agent, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, 0700);
  workspaces = g_build_filename (agent, "workspaces.json", NULL);
  g_assert_true (g_file_test (workspaces, G_FILE_TEST_IS_REGULAR));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 4);
  g_assert_cmpstr (sero_profile_registry_get_active_id (registry), ==, sero_profile_get_id (first));
}

static void
test_create_rejections (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = load_registry (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *custom = g_build_filename (fixture->home, "custom", NULL);
  g_autofree char *inside = g_build_filename (custom, "inner", NULL);
  g_autofree char *parent = g_strdup (fixture->home);

  g_assert_nonnull (sero_profile_registry_create (registry, "Default", NULL, NULL, &error));
  g_assert_nonnull (sero_profile_registry_create (registry, "Custom", custom, NULL, &error));
  g_assert_no_error (error);

  g_assert_null (sero_profile_registry_create (registry, "   ", NULL, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_NAME);
  g_clear_error (&error);

  g_assert_null (sero_profile_registry_create (registry, "Same", custom, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_TAKEN);
  g_assert_nonnull (strstr (error->message, "Custom"));
  g_clear_error (&error);

  g_assert_null (sero_profile_registry_create (registry, "Inside", inside, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_OVERLAP);
  g_clear_error (&error);

  /* A folder holding other profiles is an overlap too. */
  g_assert_null (sero_profile_registry_create (registry, "Parent", parent, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_OVERLAP);
  g_clear_error (&error);

  /* The default root is reserved once any profile exists. */
  g_assert_null (sero_profile_registry_create (registry, "Root", fixture->ui_root, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_PATH_TAKEN);
  g_clear_error (&error);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 2);
}

static void
test_switch_rename_onboard (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = load_registry (fixture);
  g_autoptr(SeroProfileRegistry) reloaded = NULL;
  g_autoptr(GError) error = NULL;
  SeroProfile *work;

  g_assert_nonnull (sero_profile_registry_create (registry, "Default", NULL, NULL, &error));
  work = sero_profile_registry_create (registry, "Work", NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (sero_profile_registry_set_active (registry, "nope", &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* By name as well as by id. */
  g_assert_true (sero_profile_registry_set_active (registry, "Work", &error));
  g_assert_true (sero_profile_registry_rename (registry, sero_profile_get_id (work), " Client A ", &error));
  g_assert_false (sero_profile_registry_rename (registry, sero_profile_get_id (work), "", &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_INVALID_NAME);
  g_clear_error (&error);
  g_assert_true (sero_profile_registry_set_onboarded (registry, "Client A", TRUE, &error));
  g_assert_no_error (error);

  reloaded = load_registry (fixture);
  work = sero_profile_registry_get_active (reloaded);
  g_assert_nonnull (work);
  g_assert_cmpstr (sero_profile_get_name (work), ==, "Client A");
  g_assert_true (sero_profile_get_onboarded (work));
}

static void
test_remove (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = load_registry (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *custom = g_build_filename (fixture->home, "custom", NULL);
  g_autofree char *managed_path = NULL;
  g_autofree char *kept_path = NULL;
  SeroProfile *first, *managed, *kept, *custom_profile;

  first = sero_profile_registry_create (registry, "Default", NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_false (sero_profile_registry_remove (registry, sero_profile_get_id (first), FALSE, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_ONLY_PROFILE);
  g_clear_error (&error);

  managed = sero_profile_registry_create (registry, "Managed", NULL, NULL, &error);
  kept = sero_profile_registry_create (registry, "Kept", NULL, NULL, &error);
  custom_profile = sero_profile_registry_create (registry, "Custom", custom, NULL, &error);
  g_assert_no_error (error);
  managed_path = g_strdup (sero_profile_get_path (managed));
  kept_path = g_strdup (sero_profile_get_path (kept));

  g_assert_false (sero_profile_registry_remove (registry, sero_profile_get_id (first), FALSE, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_ACTIVE);
  g_clear_error (&error);

  /* Files of a folder Sero did not make are never deleted. */
  g_assert_false (sero_profile_registry_remove (registry, sero_profile_get_id (custom_profile), TRUE, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_MANAGED);
  g_clear_error (&error);
  g_assert_true (g_file_test (custom, G_FILE_TEST_IS_DIR));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 4);

  g_assert_true (sero_profile_registry_remove (registry, "Managed", TRUE, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (managed_path, G_FILE_TEST_EXISTS));

  g_assert_true (sero_profile_registry_remove (registry, "Kept", FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (kept_path, G_FILE_TEST_IS_DIR));

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (registry)), ==, 2);
}

static guint
mode_of (const char *path)
{
  struct stat st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_copy_credentials (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = load_registry (fixture);
  g_autoptr(GError) error = NULL;
  g_autofree char *auth = g_build_filename (fixture->ui_root, "agent", "auth.json", NULL);
  g_autofree char *env = g_build_filename (fixture->ui_root, "agent", ".env", NULL);
  g_autofree char *models = g_build_filename (fixture->ui_root, "agent", "models.json", NULL);
  g_autofree char *layout = g_build_filename (fixture->ui_root, "agent", "layout.json", NULL);
  g_autofree char *copied_auth = NULL, *copied_env = NULL, *copied_models = NULL, *copied_layout = NULL;
  g_autofree char *contents = NULL;
  SeroProfile *first, *second;

  first = sero_profile_registry_create (registry, "Default", NULL, NULL, &error);
  g_assert_no_error (error);
  write_file (auth, "{\"anthropic\": {\"type\": \"api_key\", \"key\": \"x\"}}");
  g_assert_cmpint (g_chmod (auth, 0600), ==, 0);
  write_file (env, "OPENAI_API_KEY=abc\n");
  g_assert_cmpint (g_chmod (env, 0640), ==, 0);
  write_file (models, "{}");
  write_file (layout, "{\"not\": \"a credential\"}");

  second = sero_profile_registry_create (registry, "Second", NULL, first, &error);
  g_assert_no_error (error);

  copied_auth = g_build_filename (sero_profile_get_path (second), "agent", "auth.json", NULL);
  copied_env = g_build_filename (sero_profile_get_path (second), "agent", ".env", NULL);
  copied_models = g_build_filename (sero_profile_get_path (second), "agent", "models.json", NULL);
  copied_layout = g_build_filename (sero_profile_get_path (second), "agent", "layout.json", NULL);

  g_assert_true (g_file_get_contents (copied_auth, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "{\"anthropic\": {\"type\": \"api_key\", \"key\": \"x\"}}");
  g_assert_cmpuint (mode_of (copied_auth), ==, 0600);
  g_assert_cmpuint (mode_of (copied_env), ==, 0640);
  /* An empty object has no credentials to copy; other files are not credentials. */
  g_assert_false (g_file_test (copied_models, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (copied_layout, G_FILE_TEST_EXISTS));
}

static void
test_discover_and_adopt (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(SeroProfileRegistry) registry = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lost = g_build_filename (fixture->ui_root, "profiles", "lost", NULL);
  g_autofree char *lost_agent = g_build_filename (lost, "agent", NULL);
  g_autofree char *root_agent = g_build_filename (fixture->ui_root, "agent", NULL);
  g_autofree char *not_profile = g_build_filename (fixture->ui_root, "profiles", "junk", NULL);
  g_auto(GStrv) found = NULL;
  g_auto(GStrv) found_after = NULL;
  SeroProfile *adopted;

  /* A registry reset left two profiles on disk and nothing listing them. */
  g_assert_cmpint (g_mkdir_with_parents (lost_agent, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (root_agent, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (not_profile, 0700), ==, 0);
  write_file (fixture->registry_file, "{\"version\": 1, \"activeProfileId\": null, \"profiles\": []}");

  registry = load_registry (fixture);
  found = sero_profile_registry_discover (registry);
  g_assert_cmpuint (g_strv_length (found), ==, 2);
  g_assert_cmpstr (found[0], ==, fixture->ui_root);
  g_assert_cmpstr (found[1], ==, lost);

  adopted = sero_profile_registry_adopt (registry, fixture->ui_root, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_profile_get_name (adopted), ==, "Default");
  g_assert_cmpint (sero_profile_get_folder_provenance (adopted), ==, SERO_FOLDER_PROVENANCE_DEFAULT_ROOT);
  g_assert_cmpstr (sero_profile_registry_get_active_id (registry), ==, sero_profile_get_id (adopted));

  adopted = sero_profile_registry_adopt (registry, lost, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (sero_profile_get_name (adopted), ==, "lost");
  g_assert_cmpint (sero_profile_get_folder_provenance (adopted), ==, SERO_FOLDER_PROVENANCE_SERO_MANAGED);
  g_assert_true (sero_profile_get_onboarded (adopted));

  found_after = sero_profile_registry_discover (registry);
  g_assert_cmpuint (g_strv_length (found_after), ==, 0);

  g_assert_null (sero_profile_registry_adopt (registry, not_profile, NULL, &error));
  g_assert_error (error, SERO_PROFILE_ERROR, SERO_PROFILE_ERROR_NOT_FOUND);
}

static void
test_unknown_fields_preserved (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *text = g_strdup_printf (
    "{\"version\": 1, \"activeProfileId\": \"d\", \"futureTopLevel\": [1, 2],"
    " \"profiles\": [{\"id\": \"d\", \"name\": \"Default\", \"path\": \"%s\","
    " \"createdAt\": \"2025-01-01T00:00:00.000Z\", \"folderProvenance\": \"default-root\","
    " \"onboarded\": false, \"theme\": {\"accent\": \"blue\"}}]}",
    fixture->ui_root);
  g_autoptr(SeroProfileRegistry) registry = NULL;
  g_autoptr(JsonObject) saved = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *entry;

  write_file (fixture->registry_file, text);
  registry = load_registry (fixture);
  g_assert_true (sero_profile_registry_rename (registry, "d", "Renamed", &error));
  g_assert_no_error (error);

  saved = read_registry (fixture);
  g_assert_true (json_object_has_member (saved, "futureTopLevel"));
  entry = json_array_get_object_element (json_object_get_array_member (saved, "profiles"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "name"), ==, "Renamed");
  g_assert_cmpstr (json_object_get_string_member (entry, "createdAt"), ==, "2025-01-01T00:00:00.000Z");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "theme"), "accent"), ==, "blue");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/sero/profiles/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("resolve/fresh-install", test_fresh_install);
  ADD ("resolve/override-wins", test_override_wins);
  ADD ("resolve/migration", test_migration);
  ADD ("resolve/active-profile", test_active_profile);
  ADD ("resolve/dangling-active-repaired", test_dangling_active_repaired);
  ADD ("registry/corrupt-untouched", test_corrupt_registry);
  ADD ("registry/invalid-entries", test_invalid_registries);
  ADD ("registry/repair", test_repair);
  ADD ("registry/unknown-fields-preserved", test_unknown_fields_preserved);
  ADD ("create/paths", test_create_paths);
  ADD ("create/rejections", test_create_rejections);
  ADD ("switch-rename-onboard", test_switch_rename_onboard);
  ADD ("remove", test_remove);
  ADD ("copy-credentials", test_copy_credentials);
  ADD ("discover-and-adopt", test_discover_and_adopt);

#undef ADD

  return g_test_run ();
}

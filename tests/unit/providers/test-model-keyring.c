/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <libsecret/secret.h>

#include "sero-json-file.h"
#include "sero-model-registry.h"

/* Keys entered in Sero go to the Secret Service; auth.json keeps only a
 * reference that pi resolves by running it (pi's resolveConfigValue runs
 * "!…" values through a shell). Run by run-with-keyring.sh inside a
 * private D-Bus session with its own GNOME Keyring. */

static char *agent_dir;

static const char *
auth_key_of (const char *provider)
{
  static char *key;
  g_autofree char *path = g_build_filename (agent_dir, "auth.json", NULL);
  g_autoptr(JsonObject) auth = NULL;
  g_autoptr(GError) error = NULL;

  auth = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  g_free (key);
  key = g_strdup (json_object_get_string_member (json_object_get_object_member (auth, provider), "key"));
  return key;
}

/* What pi does with the reference: a shell, stdout, trimmed. */
static char *
run_like_pi (const char *reference)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  int status = 0;
  const char *argv[] = { "/bin/sh", "-c", reference + 1, NULL };

  g_assert_true (reference[0] == '!');
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_strdup (g_strstrip (out));
}

static void
test_store_in_keyring (void)
{
  g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (agent_dir);
  g_autoptr(SeroModelRegistry) fresh = NULL;
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (agent_dir, "auth.json", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *secret_tool = NULL;
  const char *reference;

  g_assert_true (sero_model_registry_store_api_key (registry, "anthropic", "sk-ant-in-the-keyring", &error));
  g_assert_no_error (error);

  /* auth.json names the keyring item, never the key. */
  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (strstr (contents, "sk-ant-in-the-keyring"));
  reference = auth_key_of ("anthropic");
  g_assert_cmpstr (reference, ==, "!secret-tool lookup service ai.sero provider anthropic");

  /* Sero reads it back through libsecret ... */
  fresh = sero_model_registry_new (agent_dir);
  model = sero_model_registry_resolve (fresh, "anthropic/claude-sonnet-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-ant-in-the-keyring");

  /* ... and so does pi, by running the reference (secret-tool comes with
   * libsecret-tools, which the test setup installs). */
  secret_tool = g_find_program_in_path ("secret-tool");
  if (secret_tool == NULL)
    g_error ("secret-tool is missing: install libsecret-tools (build-aux/sero-dev setup test)");
  {
    g_autofree char *out = run_like_pi (reference);

    g_assert_cmpstr (out, ==, "sk-ant-in-the-keyring");
  }
}

static void
test_replace_and_odd_names (void)
{
  g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (agent_dir);
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_assert_true (sero_model_registry_store_api_key (registry, "anthropic", "sk-ant-second", &error));
  g_assert_no_error (error);
  model = sero_model_registry_resolve (registry, "anthropic/claude-sonnet-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-ant-second");

  /* A provider id a shell would split is quoted in the reference. */
  g_assert_true (sero_model_registry_store_api_key (registry, "my lab's proxy", "sk-lab", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (auth_key_of ("my lab's proxy"), ==,
                   "!secret-tool lookup service ai.sero provider 'my lab'\\''s proxy'");
  out = run_like_pi (auth_key_of ("my lab's proxy"));
  g_assert_cmpstr (out, ==, "sk-lab");
}

static void
test_item_gone (void)
{
  g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (agent_dir);
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  /* Someone removed the key in Passwords and Keys: say where it was. */
  secret_password_clear_sync (&(SecretSchema) { "ai.sero.ApiKey", SECRET_SCHEMA_NONE,
                                                { { "service", SECRET_SCHEMA_ATTRIBUTE_STRING },
                                                  { "provider", SECRET_SCHEMA_ATTRIBUTE_STRING },
                                                  { NULL, 0 } } },
                              NULL, &error, "service", "ai.sero", "provider", "anthropic", NULL);
  g_assert_no_error (error);

  model = sero_model_registry_resolve (registry, "anthropic/claude-sonnet-4-5", &error);
  g_assert_null (model);
  g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED);
  g_assert_nonnull (strstr (error->message, "keyring"));
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    g_error ("Run me through run-with-keyring.sh: I need a private D-Bus session");
  g_unsetenv ("ANTHROPIC_API_KEY");

  agent_dir = g_dir_make_tmp ("sero-keyring-agent-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/sero/model-registry/keyring/store", test_store_in_keyring);
  g_test_add_func ("/sero/model-registry/keyring/replace-and-odd-names", test_replace_and_odd_names);
  g_test_add_func ("/sero/model-registry/keyring/item-gone", test_item_gone);
  status = g_test_run ();

  dir = g_file_new_for_path (agent_dir);
  sero_file_delete_tree (dir, NULL, NULL);
  g_free (agent_dir);
  return status;
}

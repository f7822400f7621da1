/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/stat.h>

#include <glib/gstdio.h>

#include "sero-json-file.h"
#include "sero-model-registry.h"

/* The registry over pi's files: every apiKey form, precedence, broken
 * files, defaults, and storing a key when there is no keyring (the keyring
 * path has its own test, run inside a private D-Bus session). */

static const char * const provider_env_vars[] = {
  "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "OPENROUTER_API_KEY", "GROQ_API_KEY", "XAI_API_KEY",
};

typedef struct
{
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (provider_env_vars); i++)
    g_unsetenv (provider_env_vars[i]);
  fixture->dir = g_dir_make_tmp ("sero-registry-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GFile) dir = g_file_new_for_path (fixture->dir);

  sero_file_delete_tree (dir, NULL, NULL);
  g_free (fixture->dir);
}

static void
write_file (Fixture    *fixture,
            const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  /* As pi leaves it; a looser auth.json is tightened, with a warning. */
  if (g_str_equal (name, "auth.json"))
    g_assert_cmpint (g_chmod (path, 0600), ==, 0);
}

static char *
read_file (Fixture    *fixture,
           const char *name)
{
  g_autofree char *path = g_build_filename (fixture->dir, name, NULL);
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, NULL);
  return contents;
}

static SeroModel *
resolve (Fixture     *fixture,
         const char  *spec,
         GError     **error)
{
  g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (fixture->dir);

  return sero_model_registry_resolve (registry, spec, error);
}

static void
test_builtin_env (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("ANTHROPIC_API_KEY", "sk-ant-from-env", TRUE);
  model = resolve (fixture, "anthropic/claude-sonnet-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->provider, ==, "anthropic");
  g_assert_cmpstr (model->api, ==, "anthropic-messages");
  g_assert_cmpstr (model->base_url, ==, "https://api.anthropic.com");
  g_assert_cmpstr (model->api_key, ==, "sk-ant-from-env");
  g_assert_true (model->reasoning);
  g_assert_cmpuint (model->context_window, ==, 200000);
  g_assert_cmpfloat (model->cost.output, ==, 15);
  g_clear_pointer (&model, sero_model_free);

  /* A bare id finds its provider; an unlisted id of a built-in provider
   * still resolves, with pi's default limits. */
  model = resolve (fixture, "claude-haiku-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->provider, ==, "anthropic");
  g_clear_pointer (&model, sero_model_free);
  model = resolve (fixture, "anthropic/claude-next-7", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (model->max_tokens, ==, 16384);
  g_clear_pointer (&model, sero_model_free);

  /* The default without settings: the first provider with a key. */
  model = resolve (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->provider, ==, "anthropic");
}

static void
test_not_configured (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  model = resolve (fixture, "openai/gpt-4.1", &error);
  g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED);
  g_assert_nonnull (strstr (error->message, "OPENAI_API_KEY"));
  g_clear_error (&error);

  model = resolve (fixture, NULL, &error);
  g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED);
  g_assert_nonnull (strstr (error->message, "models.json"));
  g_clear_error (&error);

  model = resolve (fixture, "no-such-model", &error);
  g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_UNKNOWN_MODEL);
}

static void
test_precedence (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  /* models.json's apiKey is the last resort ... */
  write_file (fixture, "models.json",
              "{\"providers\": {\"openai\": {\"apiKey\": \"sk-from-models-json\"}}}");
  model = resolve (fixture, "openai/gpt-4.1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-from-models-json");
  g_clear_pointer (&model, sero_model_free);

  /* ... the environment beats it ... */
  g_setenv ("OPENAI_API_KEY", "sk-from-env", TRUE);
  model = resolve (fixture, "openai/gpt-4.1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-from-env");
  g_clear_pointer (&model, sero_model_free);

  /* ... and auth.json beats both, as in pi. */
  write_file (fixture, "auth.json", "{\"openai\": {\"type\": \"api_key\", \"key\": \"sk-from-auth-json\"}}");
  model = resolve (fixture, "openai/gpt-4.1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-from-auth-json");
}

static void
test_api_key_forms (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (fixture->dir);
  g_autoptr(GPtrArray) available = NULL;
  g_autoptr(GError) error = NULL;
  struct {
    const char *spec;
    const char *key;
  } cases[] = {
    { "literal/m", "sk-literal" },
    { "env/m", "sk-from-named-variable" },
    { "command/m", "sk from a command" },
    { "none/m", NULL },
    { "absent/m", NULL },
  };

  g_setenv ("SERO_TEST_PROVIDER_KEY", "sk-from-named-variable", TRUE);
  write_file (fixture, "models.json",
              "{\"providers\": {\n"
              "  \"literal\": {\"baseUrl\": \"http://127.0.0.1:1/v1\", \"api\": \"openai-completions\",\n"
              "               \"apiKey\": \"sk-literal\", \"models\": [{\"id\": \"m\"}]},\n"
              "  \"env\": {\"baseUrl\": \"http://127.0.0.1:1/v1\", \"api\": \"openai-completions\",\n"
              "           \"apiKey\": \"SERO_TEST_PROVIDER_KEY\", \"models\": [{\"id\": \"m\"}]},\n"
              "  \"command\": {\"baseUrl\": \"http://127.0.0.1:1/v1\", \"api\": \"openai-completions\",\n"
              "               \"apiKey\": \"!printf '  sk from a command \\\\n'\", \"models\": [{\"id\": \"m\"}]},\n"
              "  \"none\": {\"baseUrl\": \"http://127.0.0.1:11434/v1\", \"api\": \"openai-completions\",\n"
              "            \"apiKey\": \"none\", \"models\": [{\"id\": \"m\"}]},\n"
              "  \"absent\": {\"baseUrl\": \"http://127.0.0.1:8080/v1\", \"api\": \"openai-completions\",\n"
              "              \"models\": [{\"id\": \"m\"}]},\n"
              "  \"failing\": {\"baseUrl\": \"http://127.0.0.1:1/v1\", \"api\": \"openai-completions\",\n"
              "               \"apiKey\": \"!exit 3\", \"models\": [{\"id\": \"m\"}]}\n"
              "}}");

  sero_model_registry_load (registry, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SeroModel) model = sero_model_registry_resolve (registry, cases[i].spec, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (model->api_key, ==, cases[i].key);
    }

  /* A command that fails is a key that is missing, and says why. */
  {
    g_autoptr(SeroModel) model = sero_model_registry_resolve (registry, "failing/m", &error);

    g_assert_null (model);
    g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED);
    g_assert_nonnull (strstr (error->message, "exit 3"));
    g_clear_error (&error);
  }

  available = sero_model_registry_list_available (registry);
  /* the five that work, and no built-in: there is no key for them */
  g_assert_cmpuint (available->len, ==, 5);
  g_assert_true (sero_model_registry_has_key (registry, "none"));
  g_assert_false (sero_model_registry_has_key (registry, "failing"));
  g_assert_false (sero_model_registry_has_key (registry, "anthropic"));
}

static void
test_models_fields (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("SERO_TEST_HEADER", "from-env", TRUE);
  g_setenv ("ANTHROPIC_API_KEY", "sk-ant", TRUE);
  write_file (fixture, "models.json",
              "{\"providers\": {\n"
              "  \"ollama\": {\"baseUrl\": \"http://localhost:11434/v1\", \"api\": \"openai-completions\",\n"
              "             \"apiKey\": \"none\",\n"
              "             \"headers\": {\"X-Literal\": \"plain\", \"X-Env\": \"SERO_TEST_HEADER\", \"X-Cmd\": \"!echo cmd\"},\n"
              "             \"models\": [\n"
              "               {\"id\": \"qwen3:32b\", \"name\": \"Qwen 3\", \"reasoning\": true, \"contextWindow\": 40960,\n"
              "                \"maxTokens\": 8192, \"cost\": {\"input\": 0.1, \"output\": 0.2, \"cacheRead\": 0, \"cacheWrite\": 0},\n"
              "                \"headers\": {\"X-Literal\": \"model wins\"}},\n"
              "               {\"id\": \"llama3.2\"}]},\n"
              "  \"anthropic\": {\"baseUrl\": \"https://proxy.example/anthropic\",\n"
              "                \"modelOverrides\": {\"claude-sonnet-4-5\": {\"name\": \"Sonnet via proxy\", \"maxTokens\": 1000,\n"
              "                                                       \"cost\": {\"output\": 10}}}}\n"
              "}}");

  model = resolve (fixture, "ollama/qwen3:32b", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->name, ==, "Qwen 3");
  g_assert_cmpstr (model->base_url, ==, "http://localhost:11434/v1");
  g_assert_null (model->api_key);
  g_assert_true (model->reasoning);
  g_assert_cmpuint (model->context_window, ==, 40960);
  g_assert_cmpuint (model->max_tokens, ==, 8192);
  g_assert_cmpfloat (model->cost.output, ==, 0.2);
  g_assert_cmpstr (g_hash_table_lookup (model->headers, "X-Literal"), ==, "model wins");
  g_assert_cmpstr (g_hash_table_lookup (model->headers, "X-Env"), ==, "from-env");
  g_assert_cmpstr (g_hash_table_lookup (model->headers, "X-Cmd"), ==, "cmd");
  g_clear_pointer (&model, sero_model_free);

  model = resolve (fixture, "ollama/llama3.2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->name, ==, "llama3.2");
  g_assert_cmpuint (model->context_window, ==, 128000);
  g_assert_cmpuint (model->max_tokens, ==, 16384);
  g_assert_false (model->reasoning);
  g_clear_pointer (&model, sero_model_free);

  /* A built-in provider: base URL moved, one model overridden in part. */
  model = resolve (fixture, "anthropic/claude-sonnet-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->base_url, ==, "https://proxy.example/anthropic");
  g_assert_cmpstr (model->name, ==, "Sonnet via proxy");
  g_assert_cmpuint (model->max_tokens, ==, 1000);
  g_assert_cmpfloat (model->cost.output, ==, 10);
  g_assert_cmpfloat (model->cost.input, ==, 3);
  g_clear_pointer (&model, sero_model_free);

  /* A custom provider's models are the ones it lists. */
  model = resolve (fixture, "ollama/mistral", &error);
  g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_UNKNOWN_MODEL);
  g_assert_nonnull (strstr (error->message, "qwen3:32b"));
}

static void
test_settings_default (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  g_setenv ("ANTHROPIC_API_KEY", "sk-ant", TRUE);
  g_setenv ("GROQ_API_KEY", "gsk", TRUE);
  write_file (fixture, "settings.json",
              "{\"defaultProvider\": \"groq\", \"defaultModel\": \"openai/gpt-oss-120b\",\n"
              " \"defaultThinkingLevel\": \"high\", \"theme\": \"dark\"}");
  model = resolve (fixture, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->provider, ==, "groq");
  g_assert_cmpstr (model->id, ==, "openai/gpt-oss-120b");
  g_assert_cmpstr (model->base_url, ==, "https://api.groq.com/openai/v1");
  g_assert_cmpstr (model->api_key, ==, "gsk");
  g_clear_pointer (&model, sero_model_free);

  /* An explicit spec is not the default; slashes after the provider
   * belong to the model id. */
  g_setenv ("OPENROUTER_API_KEY", "sk-or", TRUE);
  model = resolve (fixture, "openrouter/openai/gpt-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->provider, ==, "openrouter");
  g_assert_cmpstr (model->id, ==, "openai/gpt-5");
  {
    g_autofree char *spec = sero_model_dup_spec (model);

    g_assert_cmpstr (spec, ==, "openrouter/openai/gpt-5");
  }
}

static void
test_broken_files (Fixture       *fixture,
                   gconstpointer  data)
{
  struct {
    const char *file;
    const char *contents;
    const char *expected[3];
  } cases[] = {
    { "auth.json", "{\"anthropic\": {\"type\": \"api_key\",\n  \"key\": }", { "auth.json:2:", NULL } },
    { "auth.json", "[1, 2]", { "auth.json", "JSON object", NULL } },
    { "auth.json", "{\"anthropic\": {\"type\": \"api_key\", \"key\": 42}}", { "auth.json", "“anthropic.key”", "a string" } },
    { "models.json", "{\"providers\": {\"x\": \n\n   {\"baseUrl\": }", { "models.json:3:", NULL } },
    { "models.json", "{\"providers\": {\"local\": {\"baseUrl\": \"http://h/v1\", \"api\": \"openai-completions\","
                     " \"models\": [{\"id\": \"m\", \"contextWindow\": \"big\"}]}}}",
      { "models.json", "“providers.local.models[0].contextWindow”", "a number" } },
    { "models.json", "{\"providers\": {\"local\": {\"baseUrl\": \"http://h/v1\", \"models\": [{\"id\": \"m\"}]}}}",
      { "models.json", "“providers.local.api”", NULL } },
    { "models.json", "{\"providers\": {\"local\": {\"headers\": {\"X\": 1}}}}",
      { "models.json", "“providers.local.headers.X”", NULL } },
    { "settings.json", "{\"defaultModel\": 5}", { "settings.json", "“defaultModel”", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (fixture->dir);
      g_autoptr(SeroModel) model = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *after = NULL;
      const char *others[] = { "auth.json", "models.json", "settings.json" };

      for (guint j = 0; j < G_N_ELEMENTS (others); j++)
        {
          g_autofree char *path = g_build_filename (fixture->dir, others[j], NULL);

          g_unlink (path);
        }
      write_file (fixture, cases[i].file, cases[i].contents);
      g_setenv ("ANTHROPIC_API_KEY", "sk-ant", TRUE);

      g_test_message ("%s: %s", cases[i].file, cases[i].contents);
      g_assert_false (sero_model_registry_load (registry, &error));
      g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE);
      g_test_message ("→ %s", error->message);
      for (guint j = 0; j < G_N_ELEMENTS (cases[i].expected) && cases[i].expected[j]; j++)
        {
          if (strstr (error->message, cases[i].expected[j]) == NULL)
            g_error ("“%s” does not mention “%s”", error->message, cases[i].expected[j]);
        }
      g_clear_error (&error);

      /* Every later use explains the same thing ... */
      model = sero_model_registry_resolve (registry, "anthropic/claude-sonnet-4-5", &error);
      g_assert_null (model);
      g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE);
      g_clear_error (&error);

      /* ... and storing a key never overwrites a broken auth.json. */
      if (g_str_equal (cases[i].file, "auth.json"))
        {
          g_assert_false (sero_model_registry_store_api_key (registry, "openai", "sk-new", &error));
          g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_INVALID_FILE);
          after = read_file (fixture, "auth.json");
          g_assert_cmpstr (after, ==, cases[i].contents);
        }
    }
}

static void
test_store_without_keyring (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(SeroModelRegistry) registry = sero_model_registry_new (fixture->dir);
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(JsonObject) auth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "auth.json", NULL);
  JsonObject *entry;
  struct stat st;

  /* pi's OAuth record for another provider must survive untouched. */
  write_file (fixture, "auth.json",
              "{\"github-copilot\": {\"type\": \"oauth\", \"refresh\": \"r\", \"access\": \"a\", \"expires\": 1}}");
  g_chmod (path, 0644);

  g_test_expect_message ("sero-json-file", G_LOG_LEVEL_WARNING, "Tightened permissions of *auth.json*");
  g_assert_true (sero_model_registry_store_api_key (registry, "anthropic", "  sk-ant-typed \n", &error));
  g_assert_no_error (error);
  g_test_assert_expected_messages ();

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);

  auth = sero_json_file_load_object (path, SERO_JSON_FILE_NONE, &error);
  g_assert_no_error (error);
  entry = json_object_get_object_member (auth, "anthropic");
  g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "api_key");
  g_assert_cmpstr (json_object_get_string_member (entry, "key"), ==, "sk-ant-typed");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (auth, "github-copilot"), "type"), ==, "oauth");

  /* The registry that stored it uses it at once. */
  model = sero_model_registry_resolve (registry, "anthropic/claude-sonnet-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-ant-typed");

  g_assert_false (sero_model_registry_store_api_key (registry, "anthropic", "   ", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

static void
test_oauth_entry (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(SeroModel) model = NULL;
  g_autoptr(GError) error = NULL;

  write_file (fixture, "auth.json",
              "{\"anthropic\": {\"type\": \"oauth\", \"refresh\": \"r\", \"access\": \"a\", \"expires\": 1}}");
  model = resolve (fixture, "anthropic/claude-sonnet-4-5", &error);
  g_assert_error (error, SERO_MODEL_ERROR, SERO_MODEL_ERROR_NOT_CONFIGURED);
  g_assert_nonnull (strstr (error->message, "OAuth"));
  g_clear_error (&error);

  /* The environment still works next to it. */
  g_setenv ("ANTHROPIC_API_KEY", "sk-env", TRUE);
  model = resolve (fixture, "anthropic/claude-sonnet-4-5", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->api_key, ==, "sk-env");
}

#define ADD(path, func) \
  g_test_add ("/sero/model-registry/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  /* Never the developer's keyring: this program tests the fallback. */
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/sero-test-bus", TRUE);
  g_unsetenv ("DISPLAY");

  g_test_init (&argc, &argv, NULL);

  ADD ("builtin-env", test_builtin_env);
  ADD ("not-configured", test_not_configured);
  ADD ("precedence", test_precedence);
  ADD ("api-key-forms", test_api_key_forms);
  ADD ("models-fields", test_models_fields);
  ADD ("settings-default", test_settings_default);
  ADD ("broken-files", test_broken_files);
  ADD ("store-without-keyring", test_store_without_keyring);
  ADD ("oauth-entry", test_oauth_entry);

  return g_test_run ();
}

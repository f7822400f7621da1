/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-redact"

#include "config.h"

#include <json-glib/json-glib.h>

#include "sero-redact.h"

/* One redaction function for every line Sero writes to a log, a report or a
 * remote client. The patterns follow the original's redactSecrets() labels
 * (reference "Logs and diagnostics"); the generic `sk-` prefix is left out
 * on purpose, as the original found it redacted ordinary words. Values of
 * secret-looking variables (from the environment and the profile's .env)
 * are redacted too, since a custom provider key has no known shape. */

typedef struct
{
  const char *label;
  const char *pattern;
} SecretPattern;

static const SecretPattern patterns[] = {
  /* Bearer first, so that "Bearer sk-ant-…" is one redaction, not two. */
  { "BEARER_TOKEN",     "(?<=Bearer )[A-Za-z0-9._~+/=-]{20,}" },
  { "ANTHROPIC_KEY",    "sk-ant-[A-Za-z0-9_-]{20,}" },
  { "OPENAI_KEY",       "sk-proj-[A-Za-z0-9_-]{20,}" },
  { "OPENROUTER_KEY",   "sk-or-[A-Za-z0-9_-]{20,}" },
  { "GITHUB_TOKEN",     "gh[pousr]_[A-Za-z0-9]{30,}" },
  { "GOOGLE_KEY",       "AIza[A-Za-z0-9_-]{30,}" },
  { "XAI_KEY",          "xai-[A-Za-z0-9_-]{20,}" },
  /* Gateway tokens and other 32-byte hex secrets. */
  { "HEX_TOKEN",        "(?<![0-9A-Fa-f])[0-9A-Fa-f]{64,}(?![0-9A-Fa-f])" },
};

/* Shorter values are too likely to be ordinary words ("true", "dev"). */
#define MIN_SECRET_VALUE_LENGTH 8

static GMutex secrets_lock;
static GHashTable *secrets;  /* value → name */

static GRegex *
get_regex (guint i)
{
  static GRegex *compiled[G_N_ELEMENTS (patterns)];

  if (g_once_init_enter (&compiled[i]))
    {
      GRegex *regex = g_regex_new (patterns[i].pattern, G_REGEX_OPTIMIZE, 0, NULL);

      g_assert (regex != NULL);
      g_once_init_leave (&compiled[i], regex);
    }

  return compiled[i];
}

/**
 * sero_redact_is_secret_name:
 *
 * Whether a variable of this name should be treated as holding a secret.
 */
gboolean
sero_redact_is_secret_name (const char *name)
{
  static const char * const markers[] = {
    "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", NULL
  };
  g_autofree char *upper = NULL;

  g_return_val_if_fail (name != NULL, FALSE);

  upper = g_ascii_strup (name, -1);
  for (guint i = 0; markers[i]; i++)
    if (strstr (upper, markers[i]) != NULL)
      return TRUE;

  return FALSE;
}

/**
 * sero_redact_add_secret:
 * @name: the variable's name, shown in the redaction label (never the value)
 * @value: the secret
 */
void
sero_redact_add_secret (const char *name,
                        const char *value)
{
  g_return_if_fail (name != NULL);

  if (value == NULL || strlen (value) < MIN_SECRET_VALUE_LENGTH)
    return;

  g_mutex_lock (&secrets_lock);
  if (secrets == NULL)
    secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (secrets, g_strdup (value), g_ascii_strup (name, -1));
  g_mutex_unlock (&secrets_lock);
}

void
sero_redact_add_secrets_from_environ (void)
{
  g_auto(GStrv) env = g_get_environ ();

  for (guint i = 0; env[i]; i++)
    {
      const char *eq = strchr (env[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL)
        continue;

      name = g_strndup (env[i], eq - env[i]);
      if (sero_redact_is_secret_name (name))
        sero_redact_add_secret (name, eq + 1);
    }
}

void
sero_redact_clear_secrets (void)
{
  g_mutex_lock (&secrets_lock);
  g_clear_pointer (&secrets, g_hash_table_unref);
  g_mutex_unlock (&secrets_lock);
}

static char *
replace_all (const char *haystack,
             const char *needle,
             const char *replacement)
{
  g_auto(GStrv) parts = g_strsplit (haystack, needle, -1);

  return g_strjoinv (replacement, parts);
}

/**
 * sero_redact:
 *
 * Returns: (transfer full): @text with every known secret shape and every
 * registered secret value replaced by `[REDACTED:<LABEL>]`
 */
char *
sero_redact (const char *text)
{
  g_autofree char *result = NULL;

  if (text == NULL)
    return NULL;

  /* GRegex matches UTF-8 only; log text can be anything. */
  result = g_utf8_make_valid (text, -1);

  for (guint i = 0; i < G_N_ELEMENTS (patterns); i++)
    {
      g_autofree char *replacement = g_strdup_printf ("[REDACTED:%s]", patterns[i].label);
      char *next = g_regex_replace_literal (get_regex (i), result, -1, 0, replacement, 0, NULL);

      if (next != NULL)
        {
          g_free (result);
          result = next;
        }
    }

  g_mutex_lock (&secrets_lock);
  if (secrets != NULL)
    {
      GHashTableIter iter;
      gpointer value, name;

      g_hash_table_iter_init (&iter, secrets);
      while (g_hash_table_iter_next (&iter, &value, &name))
        {
          if (strstr (result, value) != NULL)
            {
              g_autofree char *replacement = g_strdup_printf ("[REDACTED:%s]", (char *) name);
              char *next = replace_all (result, value, replacement);

              g_free (result);
              result = next;
            }
        }
    }
  g_mutex_unlock (&secrets_lock);

  return g_steal_pointer (&result);
}

static void redact_node (JsonNode *node);

static void
redact_object_member (JsonObject  *object,
                      const char  *member,
                      JsonNode    *node,
                      gpointer     user_data)
{
  redact_node (node);
}

static void
redact_array_element (JsonArray *array,
                      guint      index,
                      JsonNode  *node,
                      gpointer   user_data)
{
  redact_node (node);
}

static void
redact_node (JsonNode *node)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      json_object_foreach_member (json_node_get_object (node), redact_object_member, NULL);
      break;

    case JSON_NODE_ARRAY:
      json_array_foreach_element (json_node_get_array (node), redact_array_element, NULL);
      break;

    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        {
          g_autofree char *clean = sero_redact (json_node_get_string (node));
          json_node_set_string (node, clean);
        }
      break;

    case JSON_NODE_NULL:
    default:
      break;
    }
}

/**
 * sero_redact_json:
 *
 * Redacts a JSON document string by string, after JSON unescaping, so a
 * key that the encoder split with escapes (`sk\u002dant\u002d…`, `\/`) is
 * caught too; the plain-text pass alone would miss it. Text that is not
 * JSON gets the plain-text pass.
 *
 * Returns: (transfer full): the redacted document
 */
char *
sero_redact_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *plain = NULL;
  JsonNode *root;

  if (json == NULL)
    return NULL;

  /* Redact the raw text first as well: a document that does not parse still
   * must not leak. */
  plain = sero_redact (json);
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL)
    return g_steal_pointer (&plain);

  redact_node (root);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);

  return json_generator_to_data (generator, NULL);
}

/**
 * sero_mask_token:
 *
 * The original's token masking for logs: first 8 and last 4 characters.
 *
 * Returns: (transfer full): the masked token
 */
char *
sero_mask_token (const char *token)
{
  gsize len;

  if (token == NULL)
    return g_strdup ("(none)");

  len = strlen (token);
  if (len < 16)
    return g_strdup ("…");

  return g_strdup_printf ("%.8s…%s", token, token + len - 4);
}

/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "sero-text"

#include "config.h"

#include "sero-text.h"

/**
 * sero_slugify:
 * @fallback: what to return when nothing of @name is left
 *
 * Lower-case ASCII letters and digits joined by single dashes, as ids of
 * workspaces and folder names of profiles are made ("My App!" → "my-app").
 *
 * Returns: (transfer full): the slug
 */
char *
sero_slugify (const char *name,
              const char *fallback)
{
  g_autofree char *ascii = g_str_to_ascii (name ? name : "", "C");
  GString *slug = g_string_new (NULL);

  for (const char *p = ascii; *p; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (slug, g_ascii_tolower (*p));
      else if (slug->len > 0 && slug->str[slug->len - 1] != '-')
        g_string_append_c (slug, '-');
    }

  while (slug->len > 0 && slug->str[slug->len - 1] == '-')
    g_string_truncate (slug, slug->len - 1);

  if (slug->len == 0)
    g_string_append (slug, fallback);

  return g_string_free (slug, FALSE);
}

/**
 * sero_is_valid_variable_name:
 *
 * Whether @name can be an environment variable's name: [A-Za-z_][A-Za-z0-9_]*
 */
gboolean
sero_is_valid_variable_name (const char *name)
{
  if (name == NULL || !(g_ascii_isalpha (name[0]) || name[0] == '_'))
    return FALSE;

  for (const char *p = name + 1; *p; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_'))
      return FALSE;

  return TRUE;
}

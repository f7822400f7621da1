/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char     *sero_redact                       (const char *text);
char     *sero_redact_json                  (const char *json);
void      sero_redact_add_secret            (const char *name,
                                             const char *value);
void      sero_redact_add_secrets_from_environ (void);
gboolean  sero_redact_is_secret_name        (const char *name);
void      sero_redact_clear_secrets         (void);
char     *sero_mask_token                   (const char *token);

G_END_DECLS

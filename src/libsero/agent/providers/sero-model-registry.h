/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "sero-model.h"

G_BEGIN_DECLS

#define SERO_MODEL_ERROR (sero_model_error_quark ())

/**
 * SeroModelError:
 * @SERO_MODEL_ERROR_INVALID_FILE: auth.json, models.json or settings.json does
 *   not parse or has a field of the wrong type; the message names the file and field
 * @SERO_MODEL_ERROR_UNKNOWN_MODEL: no provider or model of that name
 * @SERO_MODEL_ERROR_NOT_CONFIGURED: the provider has no key and needs one
 */
typedef enum
{
  SERO_MODEL_ERROR_INVALID_FILE,
  SERO_MODEL_ERROR_UNKNOWN_MODEL,
  SERO_MODEL_ERROR_NOT_CONFIGURED,
} SeroModelError;

#define SERO_TYPE_MODEL_REGISTRY (sero_model_registry_get_type ())

G_DECLARE_FINAL_TYPE (SeroModelRegistry, sero_model_registry, SERO, MODEL_REGISTRY, GObject)

GQuark             sero_model_error_quark                (void);
SeroModelRegistry *sero_model_registry_new               (const char         *agent_dir);
gboolean           sero_model_registry_load              (SeroModelRegistry  *self,
                                                          GError            **error);
SeroModel         *sero_model_registry_resolve           (SeroModelRegistry  *self,
                                                          const char         *spec,
                                                          GError            **error);
GPtrArray         *sero_model_registry_list_available    (SeroModelRegistry  *self);
GPtrArray         *sero_model_registry_list_all          (SeroModelRegistry  *self);
gboolean           sero_model_registry_has_key           (SeroModelRegistry  *self,
                                                          const char         *provider);
const char        *sero_model_registry_get_agent_dir     (SeroModelRegistry  *self);
gboolean           sero_model_registry_store_api_key     (SeroModelRegistry  *self,
                                                          const char         *provider,
                                                          const char         *key,
                                                          GError            **error);

G_END_DECLS

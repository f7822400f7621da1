/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "sero-runtime-apple.h"

G_BEGIN_DECLS

#define SERO_APPLE_LABEL_MANAGED          "ai.sero.managed"
#define SERO_APPLE_LABEL_RUNTIME          "ai.sero.runtime"
#define SERO_APPLE_LABEL_WORKSPACE_ID     "ai.sero.workspaceId"
#define SERO_APPLE_LABEL_WORKSPACE_PATH   "ai.sero.workspacePath"
#define SERO_APPLE_LABEL_INSTALLATION     "ai.sero.installationRoot"
#define SERO_APPLE_LABEL_IMAGE            "ai.sero.image"
#define SERO_APPLE_LABEL_MOUNT_SIGNATURE  "ai.sero.mountSignature"

#define SERO_APPLE_RUNTIME_ID             "apple-container"

/* Seconds between 1970-01-01 and Apple's reference date, 2001-01-01. */
#define SERO_APPLE_REFERENCE_DATE_OFFSET  G_GINT64_CONSTANT (978307200)

/**
 * SeroAppleInspection:
 * @exists: `container inspect` described a container
 * @ghost: the name is taken but its configuration is gone from storage, so
 *   it can be neither inspected nor deleted (reference §2.7)
 * @running: its status is "running"
 * @status: the status as the CLI spelled it
 * @image: `configuration.image.reference`, or "unknown"
 * @ip_address: the first network's IPv4 address, without its prefix length
 * @started_ms: when it started, in ms since the Unix epoch, or 0
 * @labels: `configuration.labels`
 * @workspace_mount_source: the source of the mount at /workspace, if absolute
 * @published: container port → port on the host's 127.0.0.1
 *
 * What the backend needs to know of one `container inspect` document.
 */
typedef struct
{
  gboolean    exists;
  gboolean    ghost;
  gboolean    running;
  char       *status;
  char       *image;
  char       *ip_address;
  gint64      started_ms;
  gint64      cpus;
  gint64      memory_bytes;
  GHashTable *labels;
  char       *workspace_mount_source;
  GHashTable *published;
} SeroAppleInspection;

void      _sero_apple_inspection_clear       (SeroAppleInspection        *inspection);
gboolean  _sero_apple_inspection_parse       (SeroAppleInspection        *inspection,
                                              const char                 *json,
                                              GError                    **error);
gint64    _sero_apple_parse_started_date     (JsonNode                   *node);

gboolean  _sero_apple_is_xpc_error           (const char                 *message);
gboolean  _sero_apple_is_ghost_error         (const char                 *message);
gboolean  _sero_apple_is_not_found_error     (const char                 *message);

gboolean  _sero_apple_belongs_to_workspace   (const SeroAppleInspection  *inspection,
                                              const char                 *workspace_id,
                                              const char                 *workspace_path,
                                              const char                 *installation_root);
gboolean  _sero_apple_has_current_identity   (const SeroAppleInspection  *inspection,
                                              const char                 *workspace_id,
                                              const char                 *workspace_path,
                                              const char                 *installation_root);

GStrv     _sero_apple_build_volumes          (SeroWorkspace              *workspace,
                                              GStrv                      *skipped);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (SeroAppleInspection, _sero_apple_inspection_clear)

G_END_DECLS

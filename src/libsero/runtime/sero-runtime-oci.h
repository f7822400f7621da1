/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-runtime.h"

G_BEGIN_DECLS

#define SERO_TYPE_RUNTIME_OCI (sero_runtime_oci_get_type ())

G_DECLARE_FINAL_TYPE (SeroRuntimeOci, sero_runtime_oci, SERO, RUNTIME_OCI, SeroRuntime)

/* Ports published on 127.0.0.1 when a container is created, so a dev server
 * on a usual port is reachable from the host and the preview pane. */
extern const guint sero_runtime_oci_preview_ports[];

/* One bind mount of a workspace's container, shared by every engine. */
typedef struct
{
  char     *source;     /* canonical host folder */
  char     *target;     /* path inside the container */
  gboolean  read_only;
} SeroRuntimeMount;

SeroRuntime *sero_runtime_oci_new             (SeroWorkspace  *workspace,
                                               const char     *installation_root);
char        *sero_runtime_oci_find_engine     (char          **engine_name,
                                               GError        **error);
const char  *sero_runtime_oci_get_engine_name (SeroRuntimeOci *self);
char        *sero_runtime_default_image       (SeroWorkspace  *workspace);
void         sero_runtime_mount_free          (SeroRuntimeMount *mount);
GPtrArray   *sero_runtime_collect_mounts      (SeroWorkspace  *workspace,
                                               GStrv          *skipped);
GStrv        sero_runtime_build_mount_specs   (SeroWorkspace  *workspace,
                                               GStrv          *skipped);
char        *sero_runtime_mount_signature     (const char * const *specs);
char        *sero_runtime_oci_parse_gateway   (const char     *inspect_json,
                                               guint          *prefix_length);
gboolean     sero_runtime_build_image         (const char     *containerfile_dir,
                                               const char     *image,
                                               GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeroRuntimeMount, sero_runtime_mount_free)

G_END_DECLS

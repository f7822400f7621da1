/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "sero-runtime.h"

G_BEGIN_DECLS

#define SERO_TYPE_RUNTIME_OCI (sero_runtime_oci_get_type ())

G_DECLARE_FINAL_TYPE (SeroRuntimeOci, sero_runtime_oci, SERO, RUNTIME_OCI, SeroRuntime)

/* Ports published on 127.0.0.1 when a container is created, so a dev server
 * on a usual port is reachable from the host and the preview pane. */
extern const guint sero_runtime_oci_preview_ports[];

SeroRuntime *sero_runtime_oci_new             (SeroWorkspace  *workspace,
                                               const char     *installation_root);
char        *sero_runtime_oci_find_engine     (char          **engine_name,
                                               GError        **error);
const char  *sero_runtime_oci_get_engine_name (SeroRuntimeOci *self);
char        *sero_runtime_default_image       (SeroWorkspace  *workspace);
GStrv        sero_runtime_build_mount_specs   (SeroWorkspace  *workspace,
                                               GStrv          *skipped);
char        *sero_runtime_mount_signature     (const char * const *specs);
gboolean     sero_runtime_build_image         (const char     *containerfile_dir,
                                               const char     *image,
                                               GError        **error);

G_END_DECLS

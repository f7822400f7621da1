/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define SERO_TYPE_LAYOUT (sero_layout_get_type ())

G_DECLARE_FINAL_TYPE (SeroLayout, sero_layout, SERO, LAYOUT, GObject)

SeroLayout  *sero_layout_new                   (const char   *path);
gboolean     sero_layout_load                  (SeroLayout   *self,
                                                GError      **error);
gboolean     sero_layout_save                  (SeroLayout   *self,
                                                GError      **error);
void         sero_layout_schedule_save         (SeroLayout   *self);
gboolean     sero_layout_flush                 (SeroLayout   *self,
                                                GError      **error);
void         sero_layout_get_window_size       (SeroLayout   *self,
                                                int          *width,
                                                int          *height,
                                                gboolean     *maximized);
void         sero_layout_set_window_size       (SeroLayout   *self,
                                                int           width,
                                                int           height,
                                                gboolean      maximized);
int          sero_layout_get_sidebar_width     (SeroLayout   *self);
void         sero_layout_set_sidebar_width     (SeroLayout   *self,
                                                int           width);
const char  *sero_layout_get_active_workspace  (SeroLayout   *self);
void         sero_layout_set_active_workspace  (SeroLayout   *self,
                                                const char   *workspace_id);
GStrv        sero_layout_dup_terminal_tabs     (SeroLayout   *self);
int          sero_layout_get_active_tab        (SeroLayout   *self);
void         sero_layout_set_terminal_tabs     (SeroLayout   *self,
                                                const char * const *workspace_ids,
                                                int           active_tab);

G_END_DECLS

;;; eventapi-eglot.el --- EventAPI language server for .proto files through Eglot  -*- lexical-binding: t; -*-

;; Works with Emacs 28 and the Eglot package (Debian: emacs-nox + elpa-eglot), and with
;; Emacs 29+, where Eglot is built in.

;;; Commentary:

;; Starts `eventapi-lsp' (stdio) for .proto buffers and hands it the `eventapi' settings both as
;; initializationOptions and as the answer to workspace/configuration.  Usage in init.el:
;;
;;   (add-to-list 'load-path "/path/to/repo/editors/emacs")
;;   (require 'eventapi-eglot)
;;   (setq eventapi-eglot-settings '(:outputDir "gen" :flinkVersion "2.3"))  ; optional
;;   (eventapi-eglot-setup)
;;
;; When `protobuf-mode' is installed it is used; otherwise the minimal `eventapi-proto-mode'
;; below gives .proto files comments and indentation.  Commands: `eventapi-eglot-generate',
;; `eventapi-eglot-preview'.

;;; Code:

(require 'cl-lib)
(require 'eglot)
(require 'subr-x)

(defgroup eventapi-eglot nil
  "EventAPI language server through Eglot."
  :group 'eglot
  :prefix "eventapi-eglot-")

(defcustom eventapi-eglot-server-command '("eventapi-lsp")
  "Command that runs the EventAPI language server on stdio.
For a Python environment without the script on PATH use
\\='(\"/path/to/python\" \"-m\" \"eventapi.server\")."
  :type '(repeat string))

(defcustom eventapi-eglot-settings nil
  "Overrides of the server's `eventapi' settings, as a plist.
Keys: :includePaths (vector of strings), :outputDir (string),
:generators (vector of \"sdk\" \"sink\"), :flinkVersion (\"2.0\" or
\"2.3\"), :severities (plist such as (:EA302 \"off\")).  Unset keys
keep the server's defaults."
  :type 'plist)

(defconst eventapi-eglot--defaults
  (list :includePaths [] :outputDir "gen" :generators ["sdk" "sink"]
        :flinkVersion "2.3" :severities nil)
  "The server's defaults (eventapi.server.settings.DEFAULTS).")

(defun eventapi-eglot--settings (&rest _)
  "The `eventapi' settings object.
The server's defaults overlaid with `eventapi-eglot-settings'."
  (let ((settings (copy-sequence eventapi-eglot--defaults)))
    (cl-loop for (key value) on eventapi-eglot-settings by #'cddr
             do (setq settings (plist-put settings key value)))
    ;; Eglot encodes nil as JSON null; the server expects {} for an empty severity map.
    (unless (plist-get settings :severities)
      (setq settings (plist-put settings :severities (make-hash-table))))
    settings))

(defvar eventapi-proto-mode-syntax-table
  (let ((table (make-syntax-table)))
    (modify-syntax-entry ?/ ". 124b" table)
    (modify-syntax-entry ?* ". 23" table)
    (modify-syntax-entry ?\n "> b" table)
    (modify-syntax-entry ?_ "_" table)
    (modify-syntax-entry ?\" "\"" table)
    (modify-syntax-entry ?' "\"" table)
    table)
  "Syntax table for `eventapi-proto-mode': C++-style comments, quoted strings.")

;;;###autoload
(define-derived-mode eventapi-proto-mode prog-mode "Proto"
  "Minimal major mode for Protocol Buffers files.
Used when `protobuf-mode' is not installed."
  :syntax-table eventapi-proto-mode-syntax-table
  (setq-local comment-start "// ")
  (setq-local comment-end "")
  (setq-local comment-start-skip "//+\\s-*")
  (setq-local indent-tabs-mode nil))

(defun eventapi-eglot--major-mode ()
  "The major mode .proto files use: `protobuf-mode' when installed."
  (if (fboundp 'protobuf-mode) 'protobuf-mode 'eventapi-proto-mode))

(defun eventapi-eglot--contact (&optional _interactive)
  "Eglot contact: the server command, with the settings as initializationOptions."
  (append eventapi-eglot-server-command
          (list :initializationOptions #'eventapi-eglot--settings)))

(defun eventapi-eglot--workspace-configuration (_server)
  "Answer for workspace/configuration: the section `eventapi'."
  (list :eventapi (eventapi-eglot--settings)))

(defun eventapi-eglot--enable ()
  "Use the EventAPI settings in this buffer and start (or join) the server."
  (setq-local eglot-workspace-configuration #'eventapi-eglot--workspace-configuration)
  (eglot-ensure))

;;;###autoload
(defun eventapi-eglot-setup ()
  "Register eventapi-lsp for .proto buffers and start it when one is visited."
  (let ((mode (eventapi-eglot--major-mode)))
    (unless (eq mode 'protobuf-mode)
      (add-to-list 'auto-mode-alist '("\\.proto\\'" . eventapi-proto-mode)))
    (add-to-list 'eglot-server-programs
                 `((,mode :language-id "proto") . eventapi-eglot--contact))
    (add-hook (intern (format "%s-hook" mode)) #'eventapi-eglot--enable)))

(defun eventapi-eglot--server ()
  "The Eglot server of the current buffer, or an error."
  (or (eglot-current-server) (user-error "No EventAPI language server in this buffer")))

(defun eventapi-eglot-generate (kinds scope)
  "Run the server's eventapi.generate for KINDS in SCOPE.
KINDS is a list of \"sdk\" and \"sink\"; SCOPE is \"file\" (the current
buffer) or \"workspace\".  Returns the server's result plist."
  (interactive
   (list (pcase (completing-read "Generate: " '("all" "sdk" "sql") nil t nil nil "all")
           ("sdk" '("sdk")) ("sql" '("sink")) (_ '("sdk" "sink")))
         (completing-read "Scope: " '("file" "workspace") nil t nil nil "file")))
  (let* ((args (append (list :scope scope :kinds (vconcat kinds))
                       (when (equal scope "file")
                         (list :uri (eglot--path-to-uri (buffer-file-name))))))
         (result (jsonrpc-request (eventapi-eglot--server) :workspace/executeCommand
                                  (list :command "eventapi.generate" :arguments (vector args)))))
    (message "EventAPI: %d file(s) written, %d unchanged, %d error(s)"
             (length (plist-get result :written)) (length (plist-get result :unchanged))
             (plist-get result :errors))
    result))

;;; Live previews

(defcustom eventapi-eglot-preview-delay 0.3
  "Seconds of quiet after an edit before the previews of a buffer refresh."
  :type 'number)

(defvar-local eventapi-eglot--previews nil
  "Preview buffers of this .proto buffer, as (BUFFER . KIND) pairs.")

(defvar-local eventapi-eglot--preview-timer nil
  "Pending refresh of this buffer's previews.")

(defun eventapi-eglot--fill-preview (buffer kind text language)
  "Replace BUFFER's text by TEXT in LANGUAGE; KIND names it in errors."
  (when (buffer-live-p buffer)
    (with-current-buffer buffer
      (let ((inhibit-read-only t)
            (point (point)))
        (erase-buffer)
        (insert (or text (format "-- EventAPI %s preview unavailable" kind)))
        (goto-char (min point (point-max))))
      (pcase language
        ("python" (unless (derived-mode-p 'python-mode) (python-mode)))
        (_ (unless (derived-mode-p 'sql-mode) (sql-mode))))
      (setq buffer-read-only t))))

(defun eventapi-eglot--refresh-previews (source)
  "Ask the server again for every live preview of the SOURCE buffer."
  (when (buffer-live-p source)
    (with-current-buffer source
      (setq eventapi-eglot--previews
            (cl-remove-if-not (lambda (entry) (buffer-live-p (car entry)))
                              eventapi-eglot--previews))
      (when-let ((server (eglot-current-server)))
        ;; Eglot sends didChange on an idle timer; the preview must see the latest text.
        (eglot--signal-textDocument/didChange)
        (dolist (entry eventapi-eglot--previews)
          (let ((buffer (car entry)) (kind (cdr entry)))
            (jsonrpc-async-request
             server :eventapi/preview
             (list :uri (eglot--path-to-uri (buffer-file-name)) :kind kind)
             :success-fn
             (lambda (result)
               (eventapi-eglot--fill-preview buffer kind (plist-get result :text)
                                             (plist-get result :language)))
             :error-fn
             (lambda (error)
               (eventapi-eglot--fill-preview
                buffer kind
                (format "%s EventAPI %s preview unavailable: %s"
                        (if (equal kind "sdk") "#" "--") kind
                        (plist-get error :message))
                (if (equal kind "sdk") "python" "sql"))))))))))

(defun eventapi-eglot--schedule-refresh (&rest _)
  "Refresh this buffer's previews once the edits pause.
Runs from `after-change-functions'."
  (when eventapi-eglot--previews
    (when eventapi-eglot--preview-timer
      (cancel-timer eventapi-eglot--preview-timer))
    (setq eventapi-eglot--preview-timer
          (run-with-timer eventapi-eglot-preview-delay nil
                          #'eventapi-eglot--refresh-previews (current-buffer)))))

(defun eventapi-eglot-preview (kind)
  "Show the generated KIND of this buffer in another window, following edits.
KIND is \"sdk\", \"ddl\" or \"flink\".  Returns the preview buffer."
  (interactive (list (completing-read "Preview: " '("sdk" "ddl" "flink") nil t nil nil "sdk")))
  (eventapi-eglot--server)
  (let ((buffer (get-buffer-create (format "*EventAPI %s: %s*" kind (buffer-name)))))
    (setf (alist-get buffer eventapi-eglot--previews) kind)
    (add-hook 'after-change-functions #'eventapi-eglot--schedule-refresh nil t)
    (eventapi-eglot--refresh-previews (current-buffer))
    (display-buffer buffer)
    buffer))

(provide 'eventapi-eglot)
;;; eventapi-eglot.el ends here

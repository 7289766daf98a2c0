;;; emacs_driver.el --- Headless Emacs driver for test_emacs.py  -*- lexical-binding: t; -*-

;;; Commentary:

;; Loads editors/emacs/eventapi-eglot.el as a user would, visits the fixture, waits for the
;; diagnostics Flymake shows, fixes the typo through a buffer edit, waits again, and writes
;; what the editor holds as JSON to $EVENTAPI_RESULT.

;;; Code:

(require 'json)
(require 'flymake)

(defvar eventapi-test--timeout (/ (string-to-number (or (getenv "EVENTAPI_TIMEOUT_MS") "30000")) 1000.0))

(defun eventapi-test--code (diagnostic)
  "The LSP code behind the Flymake DIAGNOSTIC."
  (let ((spec (alist-get 'eglot-lsp-diag (flymake-diagnostic-data diagnostic))))
    (plist-get spec :code)))

(defun eventapi-test--snapshot ()
  "Flymake's diagnostics in this buffer, 0-based lines and columns like LSP."
  (vconcat
   (mapcar (lambda (d)
             (let ((beg (flymake-diagnostic-beg d))
                   (end (flymake-diagnostic-end d)))
               (list :line (1- (line-number-at-pos beg t))
                     :col (save-excursion (goto-char beg) (current-column))
                     :endLine (1- (line-number-at-pos end t))
                     :endCol (save-excursion (goto-char end) (current-column))
                     :type (symbol-name (flymake-diagnostic-type d))
                     :code (eventapi-test--code d)
                     :message (flymake-diagnostic-text d))))
           (sort (flymake-diagnostics) (lambda (a b) (< (flymake-diagnostic-beg a) (flymake-diagnostic-beg b)))))))

(defun eventapi-test--has-code (code)
  "Non-nil when Flymake shows a diagnostic with CODE."
  (cl-some (lambda (d) (equal (eventapi-test--code d) code)) (flymake-diagnostics)))

(defun eventapi-test--wait (predicate)
  "Process server output until PREDICATE holds or the timeout passes; return its value."
  (let ((deadline (+ (float-time) eventapi-test--timeout))
        (value nil))
    (while (and (not (setq value (funcall predicate))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    value))

(defun eventapi-test--run ()
  "The scenario; returns the result plist."
  (require 'eventapi-eglot)
  (setq eventapi-eglot-server-command
        (append (json-parse-string (getenv "EVENTAPI_LSP_CMD") :array-type 'list) nil))
  ;; EA201 turned off through the settings: proves they reach the server (EA104 stays on).
  (setq eventapi-eglot-settings '(:severities (:EA201 "off")))
  (eventapi-eglot-setup)
  (find-file (getenv "EVENTAPI_FIXTURE"))
  ;; `eglot-ensure' connects after the current command; batch mode has no command loop.
  (run-hooks 'post-command-hook)
  (let ((result (list :mode (symbol-name major-mode))))
    (setq result (plist-put result :openOk (and (eventapi-test--wait (lambda () (eventapi-test--has-code "EA003"))) t)))
    (setq result (plist-put result :opened (eventapi-test--snapshot)))
    (let ((server (eglot-current-server)))
      (setq result (plist-put result :server
                              (if server
                                  (list :name (plist-get (eglot--server-info server) :name)
                                        :command (vconcat (process-command (jsonrpc--process server)))
                                        :root (expand-file-name (project-root (eglot--project server))))
                                :null))))
    (goto-char (point-min))
    (re-search-forward "^[ \t]*option (eventapi\\.v1\\.\\(operatoin\\))")
    (replace-match "operation" t t nil 1)
    ;; Eglot sends didChange from an idle timer; batch Emacs is never idle, so send it now.
    (eglot--signal-textDocument/didChange)
    (setq result (plist-put result :fixOk (and (eventapi-test--wait (lambda () (not (eventapi-test--has-code "EA003")))) t)))
    (setq result (plist-put result :fixed (eventapi-test--snapshot)))
    ;; The corrected file is valid: preview its DDL, then edit the table name and watch it follow.
    (let* ((source (current-buffer))
           (preview (eventapi-eglot-preview "ddl"))
           (text (lambda () (with-current-buffer preview (buffer-string)))))
      (setq result (plist-put result :previewOk
                              (and (eventapi-test--wait
                                    (lambda () (string-match-p "CREATE TABLE" (funcall text))))
                                   t)))
      (setq result (plist-put result :preview
                              (list :text (funcall text)
                                    :mode (symbol-name (buffer-local-value 'major-mode preview)))))
      (with-current-buffer source
        (goto-char (point-min))
        (search-forward "table: \"orders")
        (insert "_v2"))
      (setq result (plist-put result :previewFollows
                              (and (eventapi-test--wait
                                    (lambda () (string-match-p "orders_v2" (funcall text))))
                                   t)))
      (setq result (plist-put result :previewAfterEdit (funcall text))))
    (setq result (plist-put result :generate
                            (condition-case err
                                (let ((generated (eventapi-eglot-generate '("sink") "file")))
                                  (list :written (vconcat (plist-get generated :written))
                                        :errors (plist-get generated :errors)))
                              (error (list :failed (error-message-string err))))))
    result))

(let ((result (condition-case err
                  (eventapi-test--run)
                (error (list :error (error-message-string err))))))
  (with-temp-file (getenv "EVENTAPI_RESULT")
    (insert (json-serialize result :null-object :null :false-object :false)))
  (kill-emacs (if (plist-get result :error) 1 0)))

;;; emacs_driver.el ends here

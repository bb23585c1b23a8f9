// The workbench's editor: the Camunda 7 modeler (camunda-bpmn-js, with its properties panel
// and the app's element templates) or the DMN modeler (camunda-dmn-js), both served by the
// app. The draft is saved as the analyst works; each save answers with `acro validate`'s
// problems, shown as markers on the elements and as the GOV.UK error summary above, whose
// entries select the element. No inline script: everything comes from data attributes.
(function () {
  'use strict'

  var root = document.getElementById('editor')
  if (!root || !window.fetch) {
    return
  }
  var kind = root.getAttribute('data-kind')
  var file = root.getAttribute('data-file')
  var xmlUrl = root.getAttribute('data-xml-url')
  var csrf = root.getAttribute('data-csrf')
  var status = document.getElementById('save-status')
  var problemsBox = document.getElementById('problems')
  var canvasEl = document.getElementById('canvas')
  var propertiesEl = document.getElementById('properties')

  var modeler = null
  var revision = null
  var dirty = false
  var saving = false
  var timer = null
  var marked = []
  var problems = []
  var CITATION = /\b[A-Z]{2,4}-\d+\b/g

  function say (text) {
    status.textContent = text
  }

  // -- problems: the error summary and the markers ---------------------------------------------
  function renderProblems (list) {
    problems = list
    problemsBox.textContent = ''
    if (list.length) {
      var box = document.createElement('div')
      box.className = 'govuk-error-summary'
      box.setAttribute('data-problem-summary', '')
      var alert = document.createElement('div')
      alert.setAttribute('role', 'alert')
      var title = document.createElement('h2')
      title.className = 'govuk-error-summary__title'
      title.textContent = 'The draft has problems (' + list.length + ')'
      var body = document.createElement('div')
      body.className = 'govuk-error-summary__body'
      var ul = document.createElement('ul')
      ul.className = 'govuk-list govuk-error-summary__list'
      list.forEach(function (p) {
        var li = document.createElement('li')
        var a = document.createElement('a')
        a.href = p.href
        a.setAttribute('data-element', p.element || '')
        a.setAttribute('data-file', p.file)
        a.textContent = p.text
        li.appendChild(a)
        ul.appendChild(li)
      })
      body.appendChild(ul)
      alert.appendChild(title)
      alert.appendChild(body)
      box.appendChild(alert)
      problemsBox.appendChild(box)
    }
    markProblems()
  }

  function readProblems () {
    var links = problemsBox.querySelectorAll('a[data-file]')
    return Array.prototype.map.call(links, function (a) {
      return { file: a.getAttribute('data-file'), element: a.getAttribute('data-element') || null, href: a.getAttribute('href'), text: a.textContent }
    })
  }

  function bpmnViewer () {
    return kind === 'bpmn' ? modeler : (modeler && modeler.getActiveViewer())
  }

  function markProblems () {
    marked.forEach(function (m) { m() })
    marked = []
    if (!modeler) {
      return
    }
    var ids = problems.filter(function (p) { return p.file === file && p.element }).map(function (p) { return p.element })
    if (kind === 'bpmn') {
      var canvas = modeler.get('canvas')
      var registry = modeler.get('elementRegistry')
      ids.forEach(function (id) {
        if (registry.get(id)) {
          canvas.addMarker(id, 'app-problem')
          marked.push(function () { canvas.removeMarker(id, 'app-problem') })
        }
      })
    } else {
      tableMarks = ids
      markCells()
    }
  }

  // the decision table redraws its cells (a cell's classes are reset when it is selected):
  // its problem cells are marked again after each redraw
  var tableMarks = []
  function markCells () {
    tableMarks.forEach(function (id) {
      Array.prototype.forEach.call(canvasEl.querySelectorAll('td[data-element-id="' + cssEscape(id) + '"]'), function (cell) {
        if (!cell.classList.contains('app-problem')) {
          cell.classList.add('app-problem')
        }
      })
    })
  }
  if (kind === 'dmn' && window.MutationObserver) {
    new window.MutationObserver(function () {
      Array.prototype.forEach.call(canvasEl.querySelectorAll('td.app-problem'), function (cell) {
        if (tableMarks.indexOf(cell.getAttribute('data-element-id')) === -1) {
          cell.classList.remove('app-problem')
        }
      })
      markCells()
    }).observe(canvasEl, { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] })
  }

  function cssEscape (text) {
    return window.CSS && window.CSS.escape ? window.CSS.escape(text) : text.replace(/"/g, '\\"')
  }

  function selectElement (id) {
    if (!modeler || !id) {
      return false
    }
    if (kind === 'bpmn') {
      var element = modeler.get('elementRegistry').get(id)
      if (!element) {
        return false
      }
      modeler.get('canvas').scrollToElement(element)
      modeler.get('selection').select(element)
      canvasEl.focus()
      return true
    }
    var cell = canvasEl.querySelector('[data-element-id="' + cssEscape(id) + '"]')
    if (!cell) {
      return false
    }
    cell.scrollIntoView({ block: 'center' })
    var editable = cell.querySelector('[contenteditable]') || cell
    editable.focus()
    return true
  }

  problemsBox.addEventListener('click', function (event) {
    var link = event.target.closest('a[data-file]')
    if (link && link.getAttribute('data-file') === file && selectElement(link.getAttribute('data-element'))) {
      event.preventDefault()
    }
  })

  // -- saving ---------------------------------------------------------------------------------
  function schedule () {
    dirty = true
    say('Changes not saved yet')
    window.clearTimeout(timer)
    timer = window.setTimeout(save, 1200)
  }

  function save () {
    window.clearTimeout(timer)
    if (!modeler || saving || !dirty) {
      return Promise.resolve()
    }
    saving = true
    dirty = false
    say('Saving…')
    return modeler.saveXML({ format: true }).then(function (result) {
      return window.fetch(xmlUrl, {
        method: 'PUT',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrf },
        body: JSON.stringify({ xml: result.xml, revision: revision })
      })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body } })
    }).then(function (answer) {
      saving = false
      if (!answer.ok) {
        var messages = Object.keys(answer.body.errors || {}).map(function (k) { return answer.body.errors[k].join(' ') })
        say('Not saved: ' + (messages.join(' ') || 'the server refused the change'))
        return
      }
      revision = answer.body.revision
      var count = answer.body.problems.length
      say('Saved at ' + new Date(answer.body.updated_at).toLocaleTimeString('en-GB') + '. ' +
          (count ? count + ' problem' + (count === 1 ? '' : 's') + ' found.' : 'No problems found.'))
      root.setAttribute('data-saved-revision', String(revision))
      renderProblems(answer.body.problems)
      if (dirty) {
        schedule()
      }
    }).catch(function (error) {
      saving = false
      dirty = true
      say('Not saved: ' + error.message + '. Your changes are still here; try "Save now".')
    })
  }

  document.getElementById('save-now').addEventListener('click', function () {
    dirty = true
    save()
  })
  window.addEventListener('beforeunload', function (event) {
    if (dirty || saving) {
      event.preventDefault()
      event.returnValue = ''
    }
  })

  // -- the ACRO panel: topics, rule citations and form-field properties from the catalogue ---------
  function acroPanel (catalogue) {
    var body = document.getElementById('acro-panel-body')
    var empty = document.getElementById('acro-panel-empty')
    if (!body) {
      return
    }
    var modeling = modeler.get('modeling')
    var moddle = modeler.get('moddle')

    function field (labelText, control, id) {
      var group = document.createElement('div')
      group.className = 'govuk-form-group'
      var label = document.createElement('label')
      label.className = 'govuk-label govuk-label--s'
      label.htmlFor = id
      label.textContent = labelText
      control.id = id
      group.appendChild(label)
      group.appendChild(control)
      return group
    }

    function select (choices, value, emptyText) {
      var el = document.createElement('select')
      el.className = 'govuk-select app-acro-panel__select'
      if (emptyText !== null) {
        var none = document.createElement('option')
        none.value = ''
        none.textContent = emptyText
        el.appendChild(none)
      }
      choices.forEach(function (choice) {
        var option = document.createElement('option')
        option.value = choice.value
        option.textContent = choice.text
        option.selected = choice.value === value
        el.appendChild(option)
      })
      return el
    }

    function documentationOf (bo) {
      return (bo.documentation || []).map(function (d) { return d.text || '' }).join('\n')
    }

    function setCitations (element, ids) {
      var bo = element.businessObject
      var text = documentationOf(bo)
      var rest = text.replace(/^\s*Rules:[^.]*\.\s*/, '')
      var next = (ids.length ? 'Rules: ' + ids.join(', ') + '. ' : '') + rest
      modeling.updateModdleProperties(element, bo, { documentation: [moddle.create('bpmn:Documentation', { text: next.trim() })] })
    }

    function formFields (bo) {
      var values = (bo.extensionElements && bo.extensionElements.values) || []
      var formData = values.filter(function (v) { return v.$type === 'camunda:FormData' })[0]
      return formData ? (formData.fields || []) : []
    }

    function setFieldProperty (element, formField, key, value) {
      var props = formField.properties
      var items = props ? (props.values || []).filter(function (p) { return p.id !== key }) : []
      if (value) {
        items.push(moddle.create('camunda:Property', { id: key, value: value }))
      }
      var next = items.length ? moddle.create('camunda:Properties', { values: items }) : undefined
      modeling.updateModdleProperties(element, formField, { properties: next })
    }

    function render (element) {
      body.textContent = ''
      if (!element || element.type === 'bpmn:Process' || element.type === 'label') {
        empty.hidden = false
        return
      }
      empty.hidden = true
      var bo = element.businessObject
      var heading = document.createElement('p')
      heading.className = 'govuk-body-s'
      heading.textContent = (bo.name || bo.id) + ' (' + element.type.replace('bpmn:', '') + ')'
      body.appendChild(heading)

      if (element.type === 'bpmn:ServiceTask') {
        var topics = catalogue.topics.map(function (t) { return { value: t.topic, text: t.topic + (t.summary ? ': ' + t.summary : '') } })
        var topic = select(topics, bo.get('camunda:topic') || '', 'Choose a system action')
        topic.addEventListener('change', function () {
          modeling.updateProperties(element, { 'camunda:type': 'external', 'camunda:topic': topic.value || undefined })
        })
        body.appendChild(field('System action (topic)', topic, 'acro-topic'))
      }

      if (/Task$|Event$|Gateway$|CallActivity$|SubProcess$/.test(element.type)) {
        var cited = (documentationOf(bo).match(CITATION) || [])
        var fieldset = document.createElement('fieldset')
        fieldset.className = 'govuk-fieldset app-acro-panel__rules'
        var legend = document.createElement('legend')
        legend.className = 'govuk-fieldset__legend govuk-fieldset__legend--s'
        legend.textContent = 'Rules this step implements'
        fieldset.appendChild(legend)
        var boxes = document.createElement('div')
        boxes.className = 'govuk-checkboxes govuk-checkboxes--small'
        catalogue.rules.forEach(function (rule, index) {
          var item = document.createElement('div')
          item.className = 'govuk-checkboxes__item'
          var input = document.createElement('input')
          input.className = 'govuk-checkboxes__input'
          input.type = 'checkbox'
          input.id = 'acro-rule-' + index
          input.value = rule.id
          input.checked = cited.indexOf(rule.id) !== -1
          var label = document.createElement('label')
          label.className = 'govuk-label govuk-checkboxes__label'
          label.htmlFor = input.id
          label.title = rule.text
          label.textContent = rule.id
          input.addEventListener('change', function () {
            var chosen = Array.prototype.filter.call(boxes.querySelectorAll('input'), function (i) { return i.checked })
              .map(function (i) { return i.value })
            setCitations(element, chosen)
          })
          item.appendChild(input)
          item.appendChild(label)
          boxes.appendChild(item)
        })
        fieldset.appendChild(boxes)
        body.appendChild(fieldset)
      }

      if (element.type === 'bpmn:UserTask') {
        formFields(bo).forEach(function (formField, n) {
          var current = {}
          var props = formField.properties
          ;((props && props.values) || []).forEach(function (p) { current[p.id] = p.value })
          var box = document.createElement('fieldset')
          box.className = 'govuk-fieldset app-acro-panel__field'
          var legend = document.createElement('legend')
          legend.className = 'govuk-fieldset__legend govuk-fieldset__legend--s'
          legend.textContent = 'Form field ' + formField.id
          box.appendChild(legend)
          catalogue.formFieldProperties.forEach(function (prop) {
            var control
            if (prop.choices) {
              control = select(prop.choices.map(function (c) { return { value: c, text: c } }), current[prop.id] || '', 'None')
            } else {
              control = document.createElement('input')
              control.className = 'govuk-input'
              control.type = 'text'
              control.value = current[prop.id] || ''
            }
            control.addEventListener('change', function () { setFieldProperty(element, formField, prop.id, control.value) })
            box.appendChild(field(prop.label + ' (' + prop.id + ')', control, 'acro-field-' + n + '-' + prop.id))
          })
          body.appendChild(box)
        })
      }
    }

    var current = null
    modeler.on('selection.changed', function (event) {
      current = event.newSelection.length === 1 ? event.newSelection[0] : null
      render(current)
    })
    modeler.on('elements.changed', function (event) {
      if (current && event.elements.indexOf(current) !== -1 && !body.contains(document.activeElement)) {
        render(current)
      }
    })
  }

  // -- start ----------------------------------------------------------------------------------
  function get (url, accept) {
    return window.fetch(url, { credentials: 'same-origin', headers: { Accept: accept } }).then(function (response) {
      if (!response.ok) {
        throw new Error(url + ': ' + response.status)
      }
      return response
    })
  }

  var catalogueUrl = root.getAttribute('data-catalogue-url')
  Promise.all([get(xmlUrl, 'application/xml'), get(catalogueUrl, 'application/json')]).then(function (answers) {
    revision = answers[0].headers.get('X-Draft-Revision')
    return Promise.all([answers[0].text(), answers[1].json()])
  }).then(function (loaded) {
    var xml = loaded[0]
    var catalogue = loaded[1]
    if (kind === 'bpmn') {
      modeler = new window.BpmnModeler({
        container: canvasEl,
        propertiesPanel: { parent: propertiesEl },
        elementTemplates: catalogue.elementTemplates
      })
      return modeler.importXML(xml).then(function () {
        modeler.get('canvas').zoom('fit-viewport')
        modeler.on('commandStack.changed', schedule)
        acroPanel(catalogue)
      })
    }
    modeler = new window.DmnModeler({
      container: canvasEl,
      drd: { propertiesPanel: { parent: propertiesEl } }
    })
    modeler.on('views.changed', function () {
      var viewer = modeler.getActiveViewer()
      if (viewer && !viewer.__acroWatched) {
        viewer.__acroWatched = true
        viewer.on('commandStack.changed', schedule)
      }
      window.setTimeout(markProblems, 0)
    })
    return modeler.importXML(xml).then(function () {
      var table = modeler.getViews().filter(function (v) { return v.type === 'decisionTable' })[0]
      return table ? modeler.open(table) : null
    })
  }).then(function () {
    renderProblems(readProblems())
    say('All changes saved. Changes are saved as you work.')
    root.setAttribute('data-editor-ready', 'true')
    var wanted = /element=([^&]+)/.exec(window.location.hash)
    if (wanted) {
      selectElement(decodeURIComponent(wanted[1]))
    }
  }).catch(function (error) {
    say('The editor could not open this file: ' + error.message)
  })
})()

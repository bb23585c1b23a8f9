// The new-referral page's repeated rows (aliases, documents, convictions), added and removed
// on the page: no round trip, so the place on the page, the focus and the chosen PDF stay.
// Without this script the same buttons post the form and the server does it.
(function () {
  'use strict'

  var ROW_NAME = /^(alias|doc|conv)-\d+/
  var ATTRIBUTES = ['id', 'name', 'for', 'aria-describedby', 'href']

  function items (group) {
    return Array.prototype.slice.call(group.querySelectorAll('.app-repeat__item'))
  }

  function firstInput (item) {
    return item.querySelector('input, textarea')
  }

  // each row's inputs, labels and buttons say which row they are: prefix-N and "N" in words
  function renumber (group) {
    var prefix = group.getAttribute('data-repeat')
    var rows = items(group)
    rows.forEach(function (item, index) {
      Array.prototype.forEach.call(item.querySelectorAll('*'), function (element) {
        ATTRIBUTES.forEach(function (name) {
          var value = element.getAttribute(name)
          if (value && ROW_NAME.test(value)) {
            element.setAttribute(name, value.replace(ROW_NAME, prefix + '-' + index))
          }
        })
        if (element.hasAttribute('data-repeat-remove')) {
          element.value = element.value.replace(/-\d+$/, '-' + index)
        }
      })
      Array.prototype.forEach.call(item.querySelectorAll('.app-repeat__number'), function (number) {
        number.textContent = String(index + 1)
      })
    })
    var form = group.closest('form')
    form.querySelector('input[name="' + prefix + '_rows"]').value = String(rows.length)
    var add = form.querySelector('[data-repeat-add="' + prefix + '"]')
    add.style.display = rows.length >= Number(group.getAttribute('data-max')) ? 'none' : ''
  }

  // a new row is a copy of the last one, emptied of what was typed and of error messages
  function emptied (item) {
    var copy = item.cloneNode(true)
    Array.prototype.forEach.call(copy.querySelectorAll('input, textarea'), function (input) {
      input.value = ''
      input.removeAttribute('autofocus')
      input.classList.remove('govuk-input--error', 'govuk-textarea--error')
      var described = (input.getAttribute('aria-describedby') || '').split(' ').filter(function (id) {
        return id && !/-error$/.test(id)
      })
      if (described.length) {
        input.setAttribute('aria-describedby', described.join(' '))
      } else {
        input.removeAttribute('aria-describedby')
      }
    })
    Array.prototype.forEach.call(copy.querySelectorAll('.govuk-error-message'), function (message) {
      message.parentNode.removeChild(message)
    })
    Array.prototype.forEach.call(copy.querySelectorAll('.govuk-form-group--error'), function (group) {
      group.classList.remove('govuk-form-group--error')
    })
    return copy
  }

  function add (group) {
    var rows = items(group)
    var copy = emptied(rows[rows.length - 1])
    group.appendChild(copy)
    renumber(group)
    firstInput(copy).focus()
  }

  function remove (group, item) {
    var rows = items(group)
    var index = rows.indexOf(item)
    if (rows.length === 1) {
      // the only row is emptied rather than removed: there is always a row to type in
      var empty = emptied(item)
      group.replaceChild(empty, item)
      renumber(group)
      firstInput(empty).focus()
      return
    }
    group.removeChild(item)
    renumber(group)
    rows = items(group)
    firstInput(rows[Math.min(index, rows.length - 1)]).focus()
  }

  var form = document.querySelector('form [data-repeat]') && document.querySelector('form [data-repeat]').closest('form')
  if (!form) {
    return
  }
  Array.prototype.forEach.call(form.querySelectorAll('[data-repeat]'), renumber)
  form.addEventListener('click', function (event) {
    var button = event.target.closest('button')
    if (!button) {
      return
    }
    if (button.hasAttribute('data-repeat-add')) {
      event.preventDefault()
      add(form.querySelector('[data-repeat="' + button.getAttribute('data-repeat-add') + '"]'))
    } else if (button.hasAttribute('data-repeat-remove')) {
      event.preventDefault()
      var item = button.closest('.app-repeat__item')
      remove(item.parentNode, item)
    }
  })
})()

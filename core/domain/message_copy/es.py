"""Customer notification copy in Spanish: tú, neutral between Spain and Latin America, letter
greeting "Hola, Lucía:" as Spanish mail writes it."""
from __future__ import annotations

from core.domain.message_copy.compose import Frame, items, link, next_step, when

C = '{{ carrier or "el transportista" }}'
CC = '{{ carrier or "El transportista" }}'
#: "a" + "el transportista" contracts to "al transportista".
TO_C = "{% if carrier %}a {{ carrier }}{% else %}al transportista{% endif %}"

FRAME = Frame(
    greeting="Hola{% if customer.first_name %}, {{ customer.first_name }}{% endif %}:",
    track="Sigue tu paquete aquí: {{ tracking_url }}",
    report="¿Algo no va bien? Cuéntanoslo aquí: {{ report_url }}",
    signoff="Un saludo,\nEl equipo de {{ shop.name }}",
    footer="Recibes estos avisos de entrega porque hiciste un pedido en {{ shop.name }}. "
    "Si no quieres recibirlos más, date de baja aquí: {{ unsubscribe_url }}",
)
email = FRAME.email

COPY: dict[str, dict[str, str]] = {
    "late": {
        "subject": "Tu pedido {{ order.name }} viene con retraso",
        "body": email(
            f"Tu pedido {{{{ order.name }}}} ya debería haberte llegado, pero {C} todavía no lo ha entregado."
            "{% if new_date %} Ahora prevé entregarlo el {{ new_date }}.{% endif %}",
            next_step("Lo estamos vigilando de cerca y te escribiremos en cuanto se mueva. No tienes que hacer nada."),
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} viene con retraso."
        f"{{% if new_date %}} {CC} prevé entregarlo el {{{{ new_date }}}}.{{% endif %}}"
        " Lo estamos vigilando." + link("Seguimiento:", "tracking_url"),
    },
    "running_late": {
        "subject": "Retraso en la entrega de tu pedido {{ order.name }}",
        "body": email(
            f"{CC} nos ha avisado de que el paquete de tu pedido {{{{ order.name }}}} va con retraso."
            "{% if new_date %} La nueva fecha de entrega prevista es el {{ new_date }}."
            "{% else %} Aún no ha dado una fecha nueva; te la pasaremos en cuanto la tengamos.{% endif %}",
            next_step("Tu paquete sigue en camino y no tienes que hacer nada. Lo seguimos de cerca y te "
                      "avisaremos si cambia algo más."),
        ),
        "sms": f"{{{{ shop.name }}}}: {C} avisa de un retraso en tu pedido {{{{ order.name }}}}."
        "{% if new_date %} Nueva fecha: {{ new_date }}.{% endif %}"
        " No tienes que hacer nada." + link("Seguimiento:", "tracking_url"),
    },
    "stuck": {
        "subject": "Estamos revisando tu pedido {{ order.name }}",
        "body": email(
            f"El paquete de tu pedido {{{{ order.name }}}} lleva unos días sin registrar movimiento con {C}. "
            "A veces un paquete se queda un tiempo en un almacén, pero no queríamos dejarte con la duda.",
            next_step(f"Hemos abierto una incidencia y lo estamos revisando con {C}. Te escribiremos en cuanto "
                      "se mueva y, si no lo hace, buscaremos contigo una solución."),
        ),
        "sms": "{{ shop.name }}: el paquete de tu pedido {{ order.name }} lleva unos días sin moverse. "
        "Lo estamos revisando y te avisaremos." + link("Seguimiento:", "tracking_url"),
    },
    "needs_action.failed_attempt": {
        "subject": "No pudieron entregarte el pedido {{ order.name }}",
        "body": email(
            f"{CC} intentó entregar tu pedido {{{{ order.name }}}}, pero no pudo dejártelo."
            "{% if new_date %} Volverá a intentarlo el {{ new_date }}.{% endif %}",
            next_step("Si quieres elegir otro día, un lugar seguro o un punto de recogida, hazlo desde la página "
                      "de seguimiento. Si nadie puede recibirlo, es posible que lo lleven a un punto de recogida "
                      "cercano: revisa si el transportista te deja un aviso."),
            when("tracking_number", "Número de seguimiento: {{ tracking_number }}"),
        ),
        "sms": f"{{{{ shop.name }}}}: {C} no pudo entregar tu pedido {{{{ order.name }}}}."
        "{% if new_date %} Nuevo intento: {{ new_date }}.{% endif %}"
        + link("Cambia la entrega aquí:", "tracking_url"),
    },
    "needs_action.pickup_waiting": {
        "subject": "Tu pedido {{ order.name }} está listo para recoger",
        "body": email(
            "El paquete de tu pedido {{ order.name }} te espera en un punto de recogida"
            "{% if carrier %} de {{ carrier }}{% endif %}."
            "{% if new_date %} Puedes recogerlo hasta el {{ new_date }}; después nos lo devolverán."
            "{% else %} Recógelo pronto: los puntos de recogida solo guardan los paquetes unos días.{% endif %}",
            next_step("En la página de seguimiento verás la dirección y el horario. Lleva un documento de identidad"
                      "{% if tracking_number %} y el número de seguimiento, {{ tracking_number }}{% endif %}."),
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} te espera en un punto de recogida."
        "{% if new_date %} Tienes hasta el {{ new_date }}.{% endif %}"
        + link("Dirección y horario:", "tracking_url"),
    },
    "needs_action.customs": {
        "subject": "Tu pedido {{ order.name }} está retenido en aduanas",
        "body": email(
            "El paquete de tu pedido {{ order.name }} está retenido en aduanas. Normalmente significa que la "
            "aduana necesita un documento o el pago de aranceles o impuestos de importación para liberarlo.",
            next_step(f"{CC} se pondrá en contacto contigo si necesita algo, normalmente por correo o SMS. "
                      "Respóndele pronto para que no devuelvan el paquete. Si dudas de que un mensaje sea "
                      "auténtico, consulta la página de seguimiento o responde a este correo: te ayudamos encantados."),
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} está retenido en aduanas. Pueden pedirte un "
        "documento o el pago de impuestos." + link("Detalles:", "tracking_url"),
    },
    "needs_action.address": {
        "subject": "Revisa la dirección de entrega del pedido {{ order.name }}",
        "body": email(
            f"{CC} no ha podido entregar tu pedido {{{{ order.name }}}} por un problema con la dirección: "
            "puede que esté incompleta o que no la encuentren.",
            next_step("Envíanos la dirección completa, con piso, puerta o cualquier otro detalle, respondiendo a "
                      f"este correo o desde el enlace de abajo. Se la pasaremos {TO_C} enseguida, antes de que "
                      "devuelvan el paquete."),
            report="Envíanos la dirección completa aquí: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: no pueden entregar tu pedido {{ order.name }}: hay que revisar la dirección. "
        "Envíanos la correcta." + link("", "report_url", ""),
    },
    "damaged": {
        "subject": "Tu pedido {{ order.name }} se dañó durante el envío",
        "body": email(
            f"Lo sentimos mucho: {C} nos ha informado de que el paquete de tu pedido {{{{ order.name }}}} "
            "se dañó por el camino.",
            next_step("No vas a perder nada. En un día hábil te contactaremos para enviarte un reemplazo o "
                      "devolverte el dinero, lo que prefieras."),
            when("report_url", "Si el paquete llega a tus manos, guárdalo y envíanos una foto desde el enlace de "
                               "abajo: nos ayuda a reclamar al transportista."),
            track=False,
        ),
        "sms": "{{ shop.name }}: lo sentimos, tu pedido {{ order.name }} se dañó en el envío. Te contactaremos "
        "en 1 día hábil para enviarte otro o reembolsarte.",
    },
    "returning": {
        "subject": "Tu pedido {{ order.name }} vuelve a nuestro almacén",
        "body": email(
            f"{CC} no pudo completar la entrega de tu pedido {{{{ order.name }}}} y nos está devolviendo el paquete.",
            next_step("En cuanto llegue, te contactaremos para enviártelo de nuevo o devolverte el dinero, como "
                      "prefieras. Si tu dirección ha cambiado, dínoslo desde el enlace de abajo para acertar la "
                      "próxima vez."),
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} no se pudo entregar y vuelve a nosotros. Te "
        "contactaremos para reenviarlo o reembolsarlo." + link("", "report_url", ""),
    },
    "presumed_lost": {
        "subject": "Lo sentimos: tu pedido {{ order.name }} parece haberse perdido",
        "body": email(
            f"Lo sentimos mucho: el paquete de tu pedido {{{{ order.name }}}} lleva mucho tiempo sin registrar "
            f"movimiento con {C} y creemos que se ha perdido.",
            next_step("No queremos hacerte esperar más. Dinos si prefieres un reemplazo o un reembolso, desde el "
                      "enlace de abajo o respondiendo a este correo, y nos encargamos enseguida."),
            track=False, report="¿Reemplazo o reembolso? Dínoslo aquí: {{ report_url }}",
        ),
        "sms": "{{ shop.name }}: lo sentimos, tu pedido {{ order.name }} parece haberse perdido. Elige "
        "reemplazo o reembolso y lo resolvemos." + link("", "report_url", ""),
    },
    "unfulfilled": {
        "subject": "Novedades sobre tu pedido {{ order.name }}",
        "body": email(
            "Tu pedido {{ order.name }} está tardando más de lo previsto en salir."
            "{% if new_date %} Ahora esperamos enviarlo como tarde el {{ new_date }}.{% endif %}",
            next_step("Te mandaremos el enlace de seguimiento en cuanto esté en camino. Si prefieres no esperar, "
                      "dínoslo desde el enlace de abajo y lo cancelamos con el reembolso completo."),
            track=False,
        ),
        "sms": "{{ shop.name }}: lo sentimos, tu pedido {{ order.name }} tarda más en salir."
        "{% if new_date %} Lo enviaremos como tarde el {{ new_date }}.{% endif %}"
        " Te mandaremos el seguimiento.",
    },
    "partial": {
        "subject": "Parte de tu pedido {{ order.name }} ya está en camino",
        "body": email(
            items("Parte de tu pedido {{ order.name }} ya ha salido, pero estos artículos siguen con nosotros:",
                  "Parte de tu pedido {{ order.name }} ya ha salido, y el resto sigue con nosotros."),
            when("new_date", "Esperamos enviarlos como tarde el {{ new_date }}."),
            next_step("Te los enviaremos en cuanto estén listos y te pasaremos su seguimiento. "
                      "No tienes que hacer nada."),
        ),
        "sms": "{{ shop.name }}: parte de tu pedido {{ order.name }} ya va en camino; el resto saldrá"
        "{% if new_date %} como tarde el {{ new_date }}{% else %} pronto{% endif %}."
        + link("Seguimiento:", "tracking_url"),
    },
    "shipped": {
        "subject": "Tu pedido {{ order.name }} está en camino",
        "body": email(
            "¡Buenas noticias! Tu pedido {{ order.name }} ya ha salido{% if carrier %} con {{ carrier }}{% endif %}."
            "{% if new_date %} Debería llegarte el {{ new_date }}.{% endif %}",
            items("En el paquete:"),
            next_step("Vigilamos cada envío, así que si algo falla por el camino te enterarás primero por nosotros."),
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} está en camino"
        "{% if new_date %}; llegará el {{ new_date }}{% endif %}." + link("Síguelo aquí:", "tracking_url"),
    },
    "out_for_delivery": {
        "subject": "Tu pedido {{ order.name }} llega hoy",
        "body": email(
            "El paquete de tu pedido {{ order.name }} está en reparto{% if carrier %} con {{ carrier }}{% endif %}"
            " y debería llegarte hoy.",
            next_step("Si no vas a estar, puedes elegir un lugar seguro o un vecino desde la página de seguimiento."),
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} está en reparto y llegará hoy."
        + link("Síguelo aquí:", "tracking_url"),
    },
    "delivered_after_problem": {
        "subject": "Tu pedido {{ order.name }} ya ha llegado",
        "body": email(
            "¡Buenas noticias! Tu pedido {{ order.name }} ya se ha entregado. Gracias por tu paciencia con el "
            "retraso; sentimos que haya tardado más de lo debido.",
            next_step("Si falta algo o llegó dañado, cuéntanoslo desde el enlace de abajo y lo solucionamos."),
            track=False,
        ),
        "sms": "{{ shop.name }}: tu pedido {{ order.name }} ya se ha entregado. ¡Gracias por tu paciencia!"
        + link("¿Algún problema? Cuéntanoslo:", "report_url"),
    },
    "follow_up": {
        "subject": "Seguimos con tu pedido {{ order.name }}",
        "body": email(
            "Te escribimos para contarte cómo va tu pedido {{ order.name }}.",
            next_step(f"Seguimos trabajando en ello con {C} y no nos hemos olvidado de ti. Te escribiremos en "
                      "cuanto tengamos novedades."),
            when("new_date", "La fecha de entrega prevista más reciente es el {{ new_date }}."),
        ),
        "sms": "{{ shop.name }}: novedades sobre tu pedido {{ order.name }}. "
        + next_step("Seguimos con ello y te avisaremos en cuanto sepamos más.")
        + link("Seguimiento:", "tracking_url"),
    },
    "survey": {
        "subject": "¿Qué tal lo hicimos con tu pedido {{ order.name }}?",
        "body": email(
            "Esperamos que tu pedido {{ order.name }} haya llegado bien. ¿Te tuvimos al tanto de la entrega? "
            "Es una sola pregunta y te llevará diez segundos:",
            when("survey_url", "{{ survey_url }}"),
            "Tu respuesta llega directamente al equipo de {{ shop.name }} y nos ayuda a mejorar.",
            track=False, report=False,
        ),
        "sms": "{{ shop.name }}: ¿qué tal lo hicimos con la entrega de tu pedido {{ order.name }}?"
        + link("Una sola pregunta:", "survey_url"),
    },
}

SAMPLE = {"first_name": "Lucía", "items": [("Delantal de lino", 1), ("Taza de gres", 2)]}
